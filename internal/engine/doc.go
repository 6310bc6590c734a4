// SPDX-License-Identifier: Apache-2.0

// Package engine is Junction's durable workflow executor.
//
// A run is driven by one goroutine while it has something to do. The
// driver scans the action lists of the definition (and of every container
// instance: an If branch, a Scope, one Foreach iteration, one Until pass),
// starts each action whose runAfter predecessors have finished, runs the
// structural action types itself (Compose, variables, If, Switch, Foreach,
// Until, Scope, Terminate, Response, Wait, Workflow, HttpWebhook,
// ApiConnectionWebhook) and hands leaf types to the functions registered in
// package actions, on their own goroutines. Every change is written to the
// store in one batch before any action that depends on it (or any leaf
// action with side effects) starts.
//
// When a run has nothing in flight and waits only for a timer (Wait, a
// retry delay), a webhook callback or a child run, its driver exits: the
// run is rows in the store and a work item with a due time. The engine's
// poller claims due work and starts a driver again. After a crash, [Engine.Start]
// resumes every run that was not parked; a leaf action that was in flight
// runs again (at least once) and its record lists every attempt.
//
// See docs/engine.md for the statuses, retry rules and guarantees.
package engine
