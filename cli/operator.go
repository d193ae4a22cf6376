package cli

import (
	"context"
	"errors"
)

func cmdOperatorPolicy(ctx context.Context, f *flags, s IO) error {
	return errors.New("not yet")
}
