package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// Two envs of one project applied at the same time, as two processes, both
// with the default env file: one gets .env, the other .env.<env>, and each
// user's one active key is the one in its env's file. Never a key whose
// secret is in no file. Repeated, since a race does not show every time.
func TestTwoEnvsAppliedAtOnceKeepBothSecrets(t *testing.T) {
	s := motoserver.Start(t)
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s.Reset(t)
			dir := t.TempDir()
			for _, env := range []string{"staging", "prod"} {
				answers := strings.Replace(stagingAnswers, "env: staging", "env: "+env, 1) + "access_logs: false\n"
				if err := os.WriteFile(filepath.Join(dir, env+".yaml"), []byte(answers), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			res := map[string]result{}
			var mu sync.Mutex
			for _, env := range []string{"staging", "prod"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := run(t, dir, s.Env(), "apply", "--env", env, "--answers", env+".yaml", "--yes")
					mu.Lock()
					res[env] = r
					mu.Unlock()
				}()
			}
			wg.Wait()
			for env, r := range res {
				if r.code != 0 {
					t.Fatalf("apply %s: exit %d\n%s", env, r.code, r.stderr)
				}
			}
			files := map[string]string{} // bucket → env file
			for _, f := range []string{".env", ".env.staging", ".env.prod"} {
				m, err := godotenv.Read(filepath.Join(dir, f))
				if err != nil {
					continue
				}
				files[m["AWS_STORAGE_BUCKET_NAME"]] = f
				for _, env := range []string{"staging", "prod"} {
					if m["AWS_STORAGE_BUCKET_NAME"] != "mon-app-media-"+env {
						continue
					}
					keys := userKeys(t, s, "mon-app-"+env+"-s3-user")
					if len(keys) != 1 || keys[0] != m["AWS_ACCESS_KEY_ID"] || m["AWS_SECRET_ACCESS_KEY"] == "" {
						t.Errorf("%s: user keys %v, %s has %s", env, keys, f, m["AWS_ACCESS_KEY_ID"])
					}
				}
			}
			if files["mon-app-media-staging"] == "" || files["mon-app-media-prod"] == "" || files["mon-app-media-staging"] == files["mon-app-media-prod"] {
				t.Fatalf("env files by bucket: %v (want one file each)", files)
			}
		})
	}
}
