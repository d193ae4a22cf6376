// Package strdist measures how far apart two names are, for "did you mean"
// suggestions (answers-file keys, Django settings names).
package strdist

// Levenshtein is the edit distance of a and b, in bytes (the names compared
// are ASCII).
func Levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest is the candidate nearest to name, when near enough to be a typo
// of it (at most a third of its length apart, at least 2, at most 3): the
// "did you mean" of an unknown command or flag. "" when none is.
func Closest(name string, cands []string) string {
	best, bestD := "", min(3, max(2, len(name)/3))+1
	for _, c := range cands {
		if d := Levenshtein(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
