// SPDX-License-Identifier: GPL-2.0
//
// A Go program that starts a child in a new time namespace through os/exec,
// as Go programs ask for one: exec.Cmd with SysProcAttr.Cloneflags (or
// Unshareflags) = CLONE_NEWTIME. The child is PROGRAM; the program prints
// its own time namespace first, then the error of exec.Cmd.Run, if any.
//
// usage: go-newtime clone|unshare PROGRAM [ARG...]
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Go's syscall package names CLONE_NEWTIME on some architectures only.
const cloneNewTime = 0x80

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: go-newtime clone|unshare PROGRAM [ARG...]")
		os.Exit(2)
	}
	ns, _ := os.Readlink("/proc/self/ns/time")
	fmt.Printf("go: %s, %s\n", ns, os.Args[1])
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	switch os.Args[1] {
	case "clone":
		cmd.SysProcAttr.Cloneflags = cloneNewTime
	case "unshare":
		cmd.SysProcAttr.Unshareflags = cloneNewTime
	default:
		fmt.Fprintln(os.Stderr, "go-newtime: clone or unshare")
		os.Exit(2)
	}
	if err := cmd.Run(); err != nil {
		fmt.Printf("go: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
