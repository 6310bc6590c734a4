// SPDX-License-Identifier: Apache-2.0

// Package connector is Junction's public connector model and contract.
//
// A connector is described by a [Spec]: its identity, authentication kinds,
// connection parameters and [Operation]s (actions and triggers), each with
// JSON Schemas for inputs and outputs. Built-in connectors declare their Spec
// in Go; importers (connector/openapi, connector/postman) produce the same
// type from Power Platform folders, OpenAPI documents and Postman
// collections, so every connector looks the same downstream.
//
// A [Provider] serves a Spec's operations. The core is two methods; optional
// capabilities ([Poller], [Subscriber], [Tester], [Initializer], [Closer],
// [DynamicValuer]) are found by type assertion.
//
// Errors returned by providers carry a [Kind] (see [Error]) so the engine's
// retry policy and a connection's health can act on them without parsing
// strings.
package connector
