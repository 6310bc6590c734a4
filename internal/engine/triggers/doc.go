// SPDX-License-Identifier: Apache-2.0

// Package triggers is the trigger dispatcher of the workflow engine: it
// runs the polling triggers (Recurrence, Http, ApiConnection) on their
// schedules, keeps the push subscriptions of webhook triggers (HttpWebhook,
// ApiConnectionWebhook), turns events into runs, and keeps each trigger's
// history. Request triggers belong to the HTTP server.
//
// # Lifecycle
//
// [New] has no side effects. [Dispatcher.Start] starts the scheduler.
// The host (the server) then calls [Dispatcher.Enable] for every enabled
// workflow, at startup and whenever a workflow is enabled or changed, and
// [Dispatcher.Disable] (or [Dispatcher.Remove]) when it is disabled or
// deleted. Enable is idempotent: after a restart it finds the trigger's
// stored state (cursor, schedule position, subscription) and continues from
// there. [Dispatcher.Close] stops the scheduler and waits for polls in
// flight; it is idempotent.
//
// # Exactly once
//
// A poll's new items, the advanced cursor, the trigger's schedule position
// and its history entry are committed in ONE store batch together with the
// runs the items start ([engine.Engine.StartRuns]). If the commit fails or
// the process dies before it, the stored cursor is still the old one and
// the next poll returns the same items again; once it succeeded, the new
// cursor is durable with the runs. A connector's [connector.Cleaner] runs
// only after that commit.
//
// See docs/triggers.md.
package triggers
