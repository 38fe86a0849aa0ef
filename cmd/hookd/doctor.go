package main

import (
	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/doctor"
	"github.com/hookd-dev/hookd/internal/render"
)

func newDoctorCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check this machine and repository for what hookd needs, with fixes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var checks []doctor.Check
			if repo, opts, err := g.locate(); err != nil {
				checks = []doctor.Check{{Name: "repository", Status: doctor.Fail, Detail: err.Error()}}
			} else {
				c, _, _ := g.client()
				v, _ := version()
				checks = doctor.Run(cmd.Context(), doctor.Options{Repo: repo, Load: opts, Daemon: c, Version: v})
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if err := render.JSON(out, checks); err != nil {
					return err
				}
			} else {
				doctor.Print(out, checks)
			}
			if doctor.Failed(checks) {
				return ExitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks as JSON")
	return cmd
}
