// SPDX-License-Identifier: Apache-2.0

// Package workflow is the model of a Logic Apps workflow definition (the
// Workflow Definition Language): decoding, validation and the dependency
// graph of actions. It does no I/O; the engine (internal/engine) executes
// what this package describes.
//
// # Reading a definition
//
// [Decode] accepts a definition given bare, wrapped as Logic Apps Standard
// writes workflow.json ({"definition": ..., "kind": "Stateful"}), inside an
// ARM resource (properties.definition) or inside an ARM template (the first
// resources[] entry of type Microsoft.Logic/workflows). Inputs and other
// free-form JSON are kept as values of the expression value model
// (expr.Decode), so object key order is preserved.
//
// Decoding is lenient: a field of the wrong JSON type is recorded as a
// [Problem] and decoding goes on, so [Definition.Validate] can report every
// problem at once. Only unreadable JSON ([*SyntaxError]) or a document that
// holds no definition at all makes Decode fail.
//
// # Paths
//
// Every element remembers its JSON path relative to the definition object,
// for example $.actions.Scope_1.actions.Compose_2 (names that are not plain
// identifiers are written $.actions['Send an email']). Problems carry the
// path of the offending element or field.
//
// # Graph
//
// Each list of sibling actions (the top level, the actions of a Scope,
// Foreach or Until, an If branch, a Switch case) is an [ActionList] with its
// runAfter graph built once by Decode: [ActionList.Start],
// [ActionList.Successors] and [ActionList.Order]. [Definition.Action] finds
// any action at any depth by name (names are case-insensitive).
package workflow
