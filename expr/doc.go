// SPDX-License-Identifier: Apache-2.0

// Package expr is the Workflow Definition Language expression language of
// Logic Apps and Power Automate: a lexer, a parser producing a sealed AST,
// an evaluator and the function library.
package expr
