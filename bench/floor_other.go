//go:build !linux

package main

import "log"

// floorWatch needs inotify; the bench measures Linux only (VmHWM, inotify
// and Watchman's inotify backend are Linux's).
func floorWatch(string) { log.Fatal("the floor watcher runs on Linux only") }
