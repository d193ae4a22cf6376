package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/s3wizard/s3wizard/config"
)

// answerForm is a step's questions as a huh form, built apart from running
// it: the TUI embeds it in its model, the accessible mode runs it line by
// line, and tests drive either.
type answerForm struct {
	form   *huh.Form
	fields []huh.Field
	qs     []config.Question
	texts  map[string]*string
	bools  map[string]*bool
	// providerKeys: the form of the provider's keys (newKeysForm), saved
	// to the env file rather than to the answers.
	providerKeys bool
	// choices are the options of the list questions typed in line mode.
	choices map[string][]string
	// live adds a rule known only while the form is shown (a bucket name
	// the live check flagged), by key; nil: none.
	live map[string]func(string) error
}

// newAnswerForm builds the form of qs with the values offered for a. In
// accessible mode an empty line keeps the offered value, so rules accept
// it there.
func newAnswerForm(qs []config.Question, a *config.Answers, o offers, accessible bool) *answerForm {
	f := &answerForm{qs: slices.Clone(qs), texts: map[string]*string{}, bools: map[string]*bool{}, live: map[string]func(string) error{}}
	var asked []string
	for _, q := range qs {
		asked = append(asked, q.Key)
	}
	var fields []huh.Field
	for i, q := range qs {
		q = q.For(a) // region typed with credentials: provided
		f.qs[i] = q
		v := currentValue(q, a, o)
		if accessible {
			// Line mode prints only the title: carry the help, and say
			// what an empty line keeps (huh shows it only for selects).
			q.Title = accessibleTitle(q, v)
		}
		switch {
		case accessible && q.Kind == config.KindSelect:
			fields = append(fields, f.choiceInput(q, v))
		case q.Kind == config.KindConfirm:
			fields = append(fields, f.confirmField(q, v))
		case q.Kind == config.KindSelect:
			fields = append(fields, f.selectField(q, v))
		default:
			fields = append(fields, f.inputField(q, v, a, asked, accessible))
		}
	}
	f.fields = fields
	f.form = newForm(fields, accessible)
	return f
}

// confirmField asks a yes/no question, answered v so far.
func (f *answerForm) confirmField(q config.Question, v string) huh.Field {
	b, _ := strconv.ParseBool(v)
	f.bools[q.Key] = &b
	return huh.NewConfirm().Key(q.Key).Title(q.Title).Description(q.Help).
		Affirmative("Yes").Negative("No").Value(&b)
}

// selectField offers q's options, v (or the first) chosen. Full screen
// only: line mode asks a select with choiceInput.
func (f *answerForm) selectField(q config.Question, v string) huh.Field {
	s := v
	if s == "" && len(q.Options) > 0 {
		s = q.Options[0]
	}
	f.texts[q.Key] = &s
	sel := huh.NewSelect[string]().Key(q.Key).Title(q.Title).Description(q.Help).
		Options(huh.NewOptions(q.Options...)...).Value(&s)
	if len(q.Options) > 8 {
		sel = sel.Height(8)
	}
	return sel
}

// inputField asks for a typed answer, offered v, checked by q's rule, the
// rules derived from the other answers (asked: the keys of this form),
// and a live rule (the bucket-name check) when one is set.
func (f *answerForm) inputField(q config.Question, v string, a *config.Answers, asked []string, accessible bool) huh.Field {
	validate := q.Validate
	if validate == nil {
		validate = func(string) error { return nil }
	}
	s := v
	f.texts[q.Key] = &s
	offered := v
	key := q.Key
	check := func(in string) error {
		if accessible && in == "" && offered != "" {
			return nil
		}
		if err := validate(in); err != nil {
			return err
		}
		if err := config.CheckDerived(a, key, in, asked); err != nil {
			return err
		}
		if rule := f.live[key]; rule != nil {
			return rule(in)
		}
		return nil
	}
	return huh.NewInput().Key(q.Key).Title(q.Title).Description(q.Help).
		Value(&s).Validate(check)
}

// newForm is one group of fields in the wizard's theme. Outside line mode
// the errors are drawn by view, under their field, not by huh at the
// group's foot (where a tall form pushed them off an 80x24 screen).
func newForm(fields []huh.Field, accessible bool) *huh.Form {
	form := huh.NewForm(huh.NewGroup(fields...)).WithShowHelp(false).WithTheme(styles.form)
	if accessible {
		return form.WithAccessible(true)
	}
	return form.WithShowErrors(false)
}

// size fits the form to w columns and at most h lines, the focused field's
// error included. huh sizes a group once, for 80 columns: narrower, wrapped
// help pushes the input out of view.
func (f *answerForm) size(w, h int) {
	f.form.WithWidth(w)
	need := 0
	for i, fl := range f.fields {
		if i > 0 {
			need++ // the blank line between fields
		}
		need += lipgloss.Height(fl.View())
	}
	f.form.WithHeight(max(1, min(need, h-height(f.errorLines(w)))))
}

// errorLines is the focused field's validation error, wrapped to w, marked
// as part of the field ("" when none).
func (f *answerForm) errorLines(w int) string {
	fl := f.form.GetFocusedField()
	if fl == nil || fl.Error() == nil {
		return ""
	}
	return hang("┃ ✗ ", fl.Error().Error(), w, styles.bad)
}

// view is the form with the focused field's error right under that field
// (after the last line of its border).
func (f *answerForm) view(w int) string {
	v := f.form.View()
	e := f.errorLines(w)
	if e == "" {
		return v
	}
	lines := strings.Split(v, "\n")
	at := len(lines)
	for i, l := range lines {
		if strings.HasPrefix(ansi.Strip(l), "┃") {
			at = i + 1
		}
	}
	return strings.Join(slices.Insert(lines, at, e), "\n")
}

// index is the position of the focused question.
func (f *answerForm) index() int {
	focused := f.form.GetFocusedField()
	for i, fl := range f.fields {
		if fl == focused {
			return i
		}
	}
	return 0
}

// filtering reports whether the focused list has a filter typed or shown:
// esc then clears the filter (huh's convention) rather than leaving the
// question.
func (f *answerForm) filtering() bool {
	sel, ok := f.form.GetFocusedField().(*huh.Select[string])
	if !ok {
		return false
	}
	if sel.GetFiltering() {
		return true
	}
	for _, b := range sel.KeyBinds() {
		if b.Help().Desc == "clear filter" && b.Enabled() {
			return true
		}
	}
	return false
}

// choosing reports whether the focused question is a list (/ filters it).
func (f *answerForm) choosing() bool {
	_, ok := f.form.GetFocusedField().(*huh.Select[string])
	return ok
}

// typing reports whether the focused question is a text field (where ?
// is text, not a key).
func (f *answerForm) typing() bool {
	if sel, ok := f.form.GetFocusedField().(*huh.Select[string]); ok {
		return sel.GetFiltering() // a filter being typed
	}
	_, ok := f.form.GetFocusedField().(*huh.Input)
	return ok
}

// value is the current text of a question (as being typed).
func (f *answerForm) value(key string) string {
	if p, ok := f.texts[key]; ok {
		if opts, ok := f.choices[key]; ok {
			if c, err := pickChoice(*p, opts); err == nil {
				return c
			}
		}
		return *p
	}
	if b, ok := f.bools[key]; ok {
		return strconv.FormatBool(*b)
	}
	return ""
}

// apply writes the form's values into a; the first bad one is returned.
// A question an earlier answer of the form turned into another (region,
// a choice of AWS's, once credentials becomes provided) is forgotten
// instead, to be asked again as it now is.
func (f *answerForm) apply(a *config.Answers) error {
	for _, q := range f.qs {
		if q.For(a).Kind != q.Kind {
			a.Forget(q.Key)
			continue
		}
		if err := a.SetString(q.Key, f.value(q.Key)); err != nil {
			return fmt.Errorf("answer: %w", err)
		}
	}
	return nil
}

// choiceInput is a list question in line mode: its choices numbered, the
// offered one marked, and the answer typed as a name (eu-west-3) or its
// number; an empty line keeps the offered one.
func (f *answerForm) choiceInput(q config.Question, offered string) huh.Field {
	s := offered
	if s == "" && len(q.Options) > 0 {
		s = q.Options[0]
	}
	f.texts[q.Key] = &s
	var b strings.Builder
	b.WriteString(q.Title + "\n")
	if q.Help != "" {
		b.WriteString(q.Help + "\n")
	}
	for i, o := range q.Options {
		if o == s {
			o += " (default)"
		}
		fmt.Fprintf(&b, "%d. %s\n", i+1, o)
	}
	b.WriteString("[Enter keeps " + s + "; or type a name or its number]:")
	opts := q.Options
	if f.choices == nil {
		f.choices = map[string][]string{}
	}
	f.choices[q.Key] = opts
	return huh.NewInput().Key(q.Key).Title(b.String()).Value(&s).Validate(func(in string) error {
		if strings.TrimSpace(in) == "" {
			return nil // keeps the offered one
		}
		_, err := pickChoice(in, opts)
		return err
	})
}

// pickChoice is the choice typed: its name or its number (1-based).
func pickChoice(in string, opts []string) (string, error) {
	in = strings.TrimSpace(in)
	if slices.Contains(opts, in) {
		return in, nil
	}
	if n, err := strconv.Atoi(in); err == nil && n >= 1 && n <= len(opts) {
		return opts[n-1], nil
	}
	return "", fmt.Errorf("%q: type one of the names listed, or its number (1-%d)", in, len(opts))
}

// accessibleTitle is a question's title for line-by-line prompts: the
// title first, its help on the next line, then the value an empty answer
// keeps, where the answer is typed.
func accessibleTitle(q config.Question, offered string) string {
	t := q.Title
	if q.Help != "" {
		t += "\n" + q.Help
	}
	if q.Kind != config.KindConfirm && q.Kind != config.KindSelect {
		if offered != "" {
			t += "\n[Enter keeps " + offered + "]"
		} else {
			t += "\n[Enter leaves it empty]"
		}
	}
	return t + ":"
}

// Fields of the provider's keys form (not answer keys: the values go to
// the env file only).
const (
	keyIDField  = "provider key ID"
	secretField = "provider secret"
)

// newKeysForm asks the provider's access key ID and secret (`credentials:
// provided`, not yet in the env file), the secret with its echo masked.
// Their rules never repeat the value.
func newKeysForm(envFile string, accessible bool) *answerForm {
	id, secret := "", ""
	f := &answerForm{texts: map[string]*string{keyIDField: &id, secretField: &secret}, bools: map[string]*bool{}, providerKeys: true}
	where := "Written to " + envFile + " only (mode 0600, ignored by git), never to the progress file."
	f.fields = []huh.Field{
		huh.NewInput().Key(keyIDField).Title("Your provider's access key ID").
			Description("Made in your provider's console (credentials: provided). " + where).
			Value(&id).Validate(config.ValidProviderKeyID),
		huh.NewInput().Key(secretField).Title("Its secret access key").
			Description("Typed hidden; never shown or logged.").EchoMode(huh.EchoModePassword).
			Value(&secret).Validate(func(s string) error { return config.ValidProviderSecret(s, id) }),
	}
	f.form = newForm(f.fields, accessible)
	return f
}

// take returns the typed keys and wipes them from the form.
func (f *answerForm) take() (id, secret string) {
	id, secret = *f.texts[keyIDField], *f.texts[secretField]
	*f.texts[keyIDField], *f.texts[secretField] = "", ""
	return id, secret
}
