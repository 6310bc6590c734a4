// SPDX-License-Identifier: Apache-2.0

// Package expr is the Workflow Definition Language expression language of
// Logic Apps and Power Automate: a lexer, a parser producing a sealed AST,
// an evaluator and the function library.
//
// # Strings in definitions
//
// A JSON string in a workflow definition is compiled with [Compile]:
//
//	"@add(1, 2)"          the expression's typed value (3)
//	"Total: @{add(1,2)}"  interpolation; always a string ("Total: 3")
//	"@@foo"               the literal "@foo"
//	"me@example.com"      literal text
//
// [Parse] parses a bare expression (no leading @) into a [Tree] whose nodes
// ([Node]) carry their byte offset and print back in a canonical form.
// Compiled templates are immutable and safe for concurrent use: compile once,
// then call [Template.Eval] as often as needed. Whole JSON values (objects and
// arrays holding expression strings) go through [CompileValue] and
// [Compiled.Eval], or [EvalValue] for one-off use. [Cache] memoizes
// compilation by source string.
//
// # Run context
//
// Functions such as triggerBody(), body('x'), variables('v'), items('loop')
// or utcNow() read the run context through [Env]. The engine implements it;
// [MapEnv] is a complete in-memory implementation for tests and the CLI, and
// [BaseEnv] can be embedded to answer "not available" for everything.
//
// # Functions
//
// Every function is registered in a [Registry] with a [FuncSpec] (arity,
// purity, documentation, examples). [Funcs] lists them. Impure functions
// (utcNow, guid, rand, getFutureTime, getPastTime) are marked so the engine
// can record their values; functions that read the run context are marked
// Context. [Template.Calls] lists the calls an expression makes (with
// constant arguments, e.g. the name in parameters('x')) for the workflow
// validator.
//
// [LoadLocation] (Windows or IANA time-zone names) and [AddISODuration]
// expose the runtime's time-zone and ISO 8601 duration rules to the engine.
//
// # Values and errors
//
// Values follow package [value]: nil, bool, int64, float64, [Decimal],
// string, []byte, []any and *[Object]. Parse errors are *[ParseError] (with
// line, column and a caret snippet); evaluation errors are *[EvalError] and
// name the function and what it expected, in the wording of Logic Apps.
// User input never makes the package panic.
package expr
