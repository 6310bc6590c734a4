// SPDX-License-Identifier: Apache-2.0

// Package connectortest is the conformance suite every connector passes.
//
// A connector package calls [Run] from a test with a factory that builds a
// fresh provider and [Options] that describe a working connection, fixtures
// for its operations and, for each polling trigger, how to make new items
// appear. The suite checks only what the provider declares:
//
//   - spec: [connector.Spec.Validate], a summary and a description on every
//     operation, every parameter and response JSON Schema compiles, every
//     connection parameter that holds a credential is a securestring;
//   - construction: the constructor is quick, Spec is stable, Close without
//     Init works and Close is idempotent (also after Init);
//   - each fixture: the output matches the operation's declared 2xx response
//     schema, or the error has the expected kind;
//   - cancellation: a call with a cancelled context returns promptly with an
//     error wrapping [context.Canceled], and a call cancelled mid-way returns
//     within [CancelGrace];
//   - secrets: no error message and no log line holds a secret connection
//     parameter value;
//   - polling triggers: the first poll establishes a cursor, new items appear
//     exactly once across polls and across a restart with the persisted
//     state, a poll repeated with an unpersisted state returns the same items
//     again, and the cleanup option works.
//
// Fixtures run in the order given, so a later one may read what an earlier
// one created.
package connectortest
