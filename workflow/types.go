// SPDX-License-Identifier: Apache-2.0

package workflow

import "strings"

// ActionType is the canonical name of an action type the model knows.
type ActionType string

// The action types the model knows. Type names in definitions are compared
// case-insensitively ("foreach" is Foreach).
const (
	ActionCompose                ActionType = "Compose"
	ActionInitializeVariable     ActionType = "InitializeVariable"
	ActionSetVariable            ActionType = "SetVariable"
	ActionIncrementVariable      ActionType = "IncrementVariable"
	ActionDecrementVariable      ActionType = "DecrementVariable"
	ActionAppendToArrayVariable  ActionType = "AppendToArrayVariable"
	ActionAppendToStringVariable ActionType = "AppendToStringVariable"
	ActionIf                     ActionType = "If"
	ActionSwitch                 ActionType = "Switch"
	ActionForeach                ActionType = "Foreach"
	ActionUntil                  ActionType = "Until"
	ActionScope                  ActionType = "Scope"
	ActionTerminate              ActionType = "Terminate"
	ActionResponse               ActionType = "Response"
	ActionParseJSON              ActionType = "ParseJson"
	ActionQuery                  ActionType = "Query"
	ActionSelect                 ActionType = "Select"
	ActionJoin                   ActionType = "Join"
	ActionTable                  ActionType = "Table"
	ActionWait                   ActionType = "Wait"
	ActionHTTP                   ActionType = "Http"
	ActionHTTPWebhook            ActionType = "HttpWebhook"
	ActionWorkflow               ActionType = "Workflow"
	ActionJavaScriptCode         ActionType = "JavaScriptCode"
	ActionAPIConnection          ActionType = "ApiConnection"
	ActionAPIConnectionWebhook   ActionType = "ApiConnectionWebhook"
	ActionServiceProvider        ActionType = "ServiceProvider"
)

// ActionTypes lists every action type the model knows, in documentation
// order. The slice must not be modified.
var ActionTypes = []ActionType{
	ActionCompose, ActionInitializeVariable, ActionSetVariable, ActionIncrementVariable,
	ActionDecrementVariable, ActionAppendToArrayVariable, ActionAppendToStringVariable,
	ActionIf, ActionSwitch, ActionForeach, ActionUntil, ActionScope, ActionTerminate,
	ActionResponse, ActionParseJSON, ActionQuery, ActionSelect, ActionJoin, ActionTable,
	ActionWait, ActionHTTP, ActionHTTPWebhook, ActionWorkflow, ActionJavaScriptCode,
	ActionAPIConnection, ActionAPIConnectionWebhook, ActionServiceProvider,
}

// LookupActionType returns the canonical action type named s
// (case-insensitive).
func LookupActionType(s string) (ActionType, bool) {
	for _, t := range ActionTypes {
		if strings.EqualFold(s, string(t)) {
			return t, true
		}
	}
	return "", false
}

// IsContainer reports whether actions of type t hold nested actions.
func (t ActionType) IsContainer() bool {
	switch t {
	case ActionIf, ActionSwitch, ActionForeach, ActionUntil, ActionScope:
		return true
	}
	return false
}

// IsVariable reports whether t is one of the variable actions that name a
// variable in inputs.name (not InitializeVariable).
func (t ActionType) IsVariable() bool {
	switch t {
	case ActionSetVariable, ActionIncrementVariable, ActionDecrementVariable,
		ActionAppendToArrayVariable, ActionAppendToStringVariable:
		return true
	}
	return false
}

// TriggerType is the canonical name of a trigger type the model knows.
type TriggerType string

// The trigger types the model knows. Manual is the old name of Request; the
// model keeps the type as written and the engine treats both alike.
const (
	TriggerRequest              TriggerType = "Request"
	TriggerManual               TriggerType = "Manual"
	TriggerRecurrence           TriggerType = "Recurrence"
	TriggerHTTP                 TriggerType = "Http"
	TriggerHTTPWebhook          TriggerType = "HttpWebhook"
	TriggerAPIConnection        TriggerType = "ApiConnection"
	TriggerAPIConnectionWebhook TriggerType = "ApiConnectionWebhook"
	TriggerServiceProvider      TriggerType = "ServiceProvider"
)

// TriggerTypes lists every trigger type the model knows. The slice must not
// be modified.
var TriggerTypes = []TriggerType{
	TriggerRequest, TriggerManual, TriggerRecurrence, TriggerHTTP, TriggerHTTPWebhook,
	TriggerAPIConnection, TriggerAPIConnectionWebhook, TriggerServiceProvider,
}

// LookupTriggerType returns the canonical trigger type named s
// (case-insensitive).
func LookupTriggerType(s string) (TriggerType, bool) {
	for _, t := range TriggerTypes {
		if strings.EqualFold(s, string(t)) {
			return t, true
		}
	}
	return "", false
}

// IsRequest reports whether t is Request or its old name Manual.
func (t TriggerType) IsRequest() bool { return t == TriggerRequest || t == TriggerManual }
