// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"fmt"
	"strings"
)

// Severity says whether a problem makes a definition invalid.
type Severity int

// Severities.
const (
	// SeverityError makes the definition invalid.
	SeverityError Severity = iota
	// SeverityWarning is reported but does not make the definition invalid.
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Problem is one finding about a definition.
type Problem struct {
	// Path is the JSON path of the offending element or field, relative to
	// the definition object ($ is the definition).
	Path string
	// Code is a stable identifier such as "WF2001"; see [Codes].
	Code string
	// Message is lowercase and specific.
	Message  string
	Severity Severity
}

// String returns "<path>: <message> [<code>]", with "warning: " before the
// message for warnings.
func (p Problem) String() string {
	if p.Severity == SeverityWarning {
		return fmt.Sprintf("%s: warning: %s [%s]", p.Path, p.Message, p.Code)
	}
	return fmt.Sprintf("%s: %s [%s]", p.Path, p.Message, p.Code)
}

// ValidationError lists every problem of an invalid definition (warnings
// included). It is returned by [Definition.Validate] when at least one
// problem is an error.
type ValidationError struct {
	Problems []Problem
}

// Error returns the problems one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Validation codes. The numbers are stable: never reuse or renumber one.
const (
	// Structure.
	CodeWrongType       = "WF1001" // a field has the wrong JSON type
	CodeMissingField    = "WF1002" // a required field is missing
	CodeUnknownAction   = "WF1003" // unknown action type
	CodeUnknownTrigger  = "WF1004" // unknown trigger type
	CodeMisplacedField  = "WF1005" // a field that belongs to another type (foreach on a non-Foreach ...)
	CodeInvalidValue    = "WF1006" // a value outside its allowed set or range
	CodeDuplicateName   = "WF1007" // two actions (or triggers) with the same case-insensitive name
	CodeMisplacedAction = "WF1008" // an action type where it is not allowed (InitializeVariable nested ...)
	CodeConflict        = "WF1009" // two settings that exclude each other
	CodeUnknownOption   = "WF1010" // unknown operationOptions value (warning)
	CodeNoDefinition    = "WF1011" // the document holds no definition
	CodeInvalidName     = "WF1012" // an empty action or trigger name

	// References.
	CodeRunAfterUnknown     = "WF2001" // runAfter names an action that is not a sibling
	CodeRunAfterCycle       = "WF2002" // runAfter cycle
	CodeUndeclaredParam     = "WF2003" // parameters('x') not declared
	CodeUnknownActionRef    = "WF2004" // actions/body/outputs/result('x') naming no action
	CodeUndeclaredVariable  = "WF2005" // variables('x') or a variable action on a variable never initialized
	CodeNotEnclosingLoop    = "WF2006" // items('x') / iterationIndexes('x') not naming an enclosing loop
	CodeDuplicateVariable   = "WF2007" // a variable initialized twice
	CodeVariableType        = "WF2008" // variable action not allowed for the variable's type
	CodeUnknownStaticResult = "WF2009" // runtimeConfiguration.staticResult names no static result
	CodeExternalParam       = "WF2010" // parameters('x') not declared in a Standard definition (warning)

	// Expressions.
	CodeExprSyntax   = "WF3001" // an expression does not parse
	CodeExprFunction = "WF3002" // unknown function or wrong number of arguments (warning)

	// Limits.
	CodeDepthLimit      = "WF4001" // nesting deeper than 8
	CodeNameLength      = "WF4002" // name longer than 80 characters
	CodeParameterLimit  = "WF4003" // more than 50 parameters
	CodeOutputLimit     = "WF4004" // more than 10 outputs
	CodeActionLimit     = "WF4005" // more than 500 actions
	CodeTriggerLimit    = "WF4006" // more than 10 triggers
	CodeCaseLimit       = "WF4007" // more than 25 Switch cases
	CodeExprLength      = "WF4008" // expression longer than 8,192 characters
	CodeVariableLimit   = "WF4009" // more than 250 variables
	CodeDescriptionSize = "WF4010" // description longer than 256 characters (warning)
)

// Limits of the Workflow Definition Language that validation enforces.
const (
	MaxDepth            = 8
	MaxNameLength       = 80
	MaxParameters       = 50
	MaxOutputs          = 10
	MaxActions          = 500
	MaxTriggers         = 10
	MaxCases            = 25
	MaxExpressionLength = 8192
	MaxVariables        = 250
	MaxDescription      = 256
)

// CodeInfo documents one validation code.
type CodeInfo struct {
	Code     string
	Severity Severity
	Summary  string
}

// Codes lists every validation code with its meaning, in code order.
var Codes = []CodeInfo{
	{CodeWrongType, SeverityError, "a field has the wrong JSON type"},
	{CodeMissingField, SeverityError, "a required field is missing"},
	{CodeUnknownAction, SeverityError, "unknown action type"},
	{CodeUnknownTrigger, SeverityError, "unknown trigger type"},
	{CodeMisplacedField, SeverityError, "a field that only another action type may have (foreach, cases, else ...)"},
	{CodeInvalidValue, SeverityError, "a value outside its allowed set or range"},
	{CodeDuplicateName, SeverityError, "two actions or two triggers share a name (case-insensitive)"},
	{CodeMisplacedAction, SeverityError, "an action type where it is not allowed (nested InitializeVariable, Terminate or Response in a loop)"},
	{CodeConflict, SeverityError, "two settings that exclude each other"},
	{CodeUnknownOption, SeverityWarning, "unknown operationOptions value"},
	{CodeNoDefinition, SeverityError, "the document holds no workflow definition"},
	{CodeInvalidName, SeverityError, "an empty action or trigger name"},
	{CodeRunAfterUnknown, SeverityError, "runAfter names an action that is not in the same scope"},
	{CodeRunAfterCycle, SeverityError, "runAfter cycle"},
	{CodeUndeclaredParam, SeverityError, "parameters('x') names an undeclared parameter"},
	{CodeUnknownActionRef, SeverityError, "actions('x'), body('x'), outputs('x') or result('x') names no action"},
	{CodeUndeclaredVariable, SeverityError, "a variable that no InitializeVariable action initializes"},
	{CodeNotEnclosingLoop, SeverityError, "items('x') or iterationIndexes('x') names no enclosing loop"},
	{CodeDuplicateVariable, SeverityError, "a variable initialized twice"},
	{CodeVariableType, SeverityError, "a variable action that does not fit the variable's type"},
	{CodeUnknownStaticResult, SeverityError, "runtimeConfiguration.staticResult names no entry of staticResults"},
	{CodeExternalParam, SeverityWarning, "parameters('x') not declared in a Standard definition, so it must come from parameters.json"},
	{CodeExprSyntax, SeverityError, "an expression does not parse"},
	{CodeExprFunction, SeverityWarning, "unknown function or wrong number of arguments (fails only when evaluated)"},
	{CodeDepthLimit, SeverityError, "actions nested deeper than 8 levels"},
	{CodeNameLength, SeverityError, "a name longer than 80 characters"},
	{CodeParameterLimit, SeverityError, "more than 50 parameters"},
	{CodeOutputLimit, SeverityError, "more than 10 outputs"},
	{CodeActionLimit, SeverityError, "more than 500 actions"},
	{CodeTriggerLimit, SeverityError, "more than 10 triggers"},
	{CodeCaseLimit, SeverityError, "more than 25 Switch cases"},
	{CodeExprLength, SeverityError, "an expression longer than 8,192 characters"},
	{CodeVariableLimit, SeverityError, "more than 250 variables"},
	{CodeDescriptionSize, SeverityWarning, "a description longer than 256 characters"},
}

// problems collects problems.
type problems []Problem

func (ps *problems) add(path, code, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) warn(path, code, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Code: code, Message: fmt.Sprintf(format, args...), Severity: SeverityWarning})
}
