// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// ErrNotAvailable is wrapped by [Env] methods when the requested part of the
// run context does not exist where the expression is evaluated (no trigger,
// no enclosing loop, unknown action ...).
var ErrNotAvailable = errors.New("not available in this context")

// Env is the run context the workflow functions read. The engine implements
// it; tests use [MapEnv]. Methods may be called concurrently by concurrent
// evaluations of the same template and must be safe for that if the
// implementation is shared. Errors are reported to the user as the failing
// function's error, so they should say what is missing; wrap
// [ErrNotAvailable] for "no such thing here".
//
// Values returned must follow the value model (see package [value]) and must
// not be modified by the implementation afterwards: the evaluator may return
// them to the caller without copying.
type Env interface {
	// Trigger returns the trigger's run record (trigger(), triggerBody(),
	// triggerOutputs(), triggerFormData*(), triggerMultipartBody()).
	Trigger() (*ActionResult, error)
	// Action returns the run record of the named action (actions(),
	// body(), outputs(), formDataValue() ...).
	Action(name string) (*ActionResult, error)
	// CurrentAction returns the record of the action being evaluated
	// (action()): only in trackedProperties, webhook unsubscribe and Until.
	CurrentAction() (*ActionResult, error)
	// Variable returns the value of a workflow variable.
	Variable(name string) (any, error)
	// Parameter returns the value of a workflow parameter.
	Parameter(name string) (any, error)
	// Item returns the current item of the named Foreach loop, or of the
	// innermost one when loop is "" (item()).
	Item(loop string) (any, error)
	// IterationIndex returns the 0-based index of the current iteration of
	// the named Until (or Foreach) loop.
	IterationIndex(loop string) (int64, error)
	// Result returns the results of the top-level actions inside the named
	// scope or loop (result()).
	Result(scope string) (any, error)
	// Workflow returns the workflow() object.
	Workflow() (any, error)
	// ListCallbackURL returns the callback URL of the trigger or action.
	ListCallbackURL() (string, error)
	// AppSetting returns an application setting (Standard's appsetting()).
	AppSetting(name string) (string, error)
	// Now returns the current time (utcNow() and friends). The engine
	// returns the recorded time when it replays an action.
	Now() time.Time
	// NewGUID returns a new random GUID in lower-case "D" form.
	NewGUID() string
	// Rand returns a random integer in [min, max).
	Rand(min, max int64) (int64, error)
}

// ActionResult is the run record of an action or trigger, the object that
// actions('x') and trigger() return.
type ActionResult struct {
	Name             string
	Inputs           any
	Outputs          any
	Status           string // Succeeded, Failed, Skipped, TimedOut ...
	Code             string
	StartTime        time.Time
	EndTime          time.Time
	TrackingID       string
	ClientTrackingID string
	Error            any
}

// Value returns the record as the object actions('x') returns. Zero fields
// other than inputs and outputs are left out.
func (r *ActionResult) Value() *Object {
	o := NewObject(10)
	if r.Name != "" {
		o.Set("name", r.Name)
	}
	if r.Inputs != nil {
		o.Set("inputs", r.Inputs)
	}
	o.Set("outputs", r.Outputs)
	if !r.StartTime.IsZero() {
		o.Set("startTime", r.StartTime.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	}
	if !r.EndTime.IsZero() {
		o.Set("endTime", r.EndTime.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	}
	if r.TrackingID != "" {
		o.Set("trackingId", r.TrackingID)
	}
	if r.ClientTrackingID != "" {
		o.Set("clientTrackingId", r.ClientTrackingID)
	}
	if r.Code != "" {
		o.Set("code", r.Code)
	}
	if r.Status != "" {
		o.Set("status", r.Status)
	}
	if r.Error != nil {
		o.Set("error", r.Error)
	}
	return o
}

// BaseEnv answers every [Env] method with an error wrapping
// [ErrNotAvailable], the real clock and crypto randomness. Embed it in an
// Env implementation to override only what is available.
type BaseEnv struct{}

func notAvail(what string) error { return fmt.Errorf("%s is %w", what, ErrNotAvailable) }

// Trigger implements [Env].
func (BaseEnv) Trigger() (*ActionResult, error) { return nil, notAvail("the trigger") }

// Action implements [Env].
func (BaseEnv) Action(name string) (*ActionResult, error) {
	return nil, notAvail(fmt.Sprintf("action '%s'", name))
}

// CurrentAction implements [Env].
func (BaseEnv) CurrentAction() (*ActionResult, error) { return nil, notAvail("the current action") }

// Variable implements [Env].
func (BaseEnv) Variable(name string) (any, error) {
	return nil, notAvail(fmt.Sprintf("variable '%s'", name))
}

// Parameter implements [Env].
func (BaseEnv) Parameter(name string) (any, error) {
	return nil, notAvail(fmt.Sprintf("parameter '%s'", name))
}

// Item implements [Env].
func (BaseEnv) Item(loop string) (any, error) {
	if loop == "" {
		return nil, notAvail("a loop item")
	}
	return nil, notAvail(fmt.Sprintf("an item of loop '%s'", loop))
}

// IterationIndex implements [Env].
func (BaseEnv) IterationIndex(loop string) (int64, error) {
	return 0, notAvail(fmt.Sprintf("the iteration index of loop '%s'", loop))
}

// Result implements [Env].
func (BaseEnv) Result(scope string) (any, error) {
	return nil, notAvail(fmt.Sprintf("the result of scope '%s'", scope))
}

// Workflow implements [Env].
func (BaseEnv) Workflow() (any, error) { return nil, notAvail("workflow()") }

// ListCallbackURL implements [Env].
func (BaseEnv) ListCallbackURL() (string, error) { return "", notAvail("a callback URL") }

// AppSetting implements [Env].
func (BaseEnv) AppSetting(name string) (string, error) {
	return "", notAvail(fmt.Sprintf("app setting '%s'", name))
}

// Now implements [Env] with the system clock.
func (BaseEnv) Now() time.Time { return time.Now().UTC() }

// NewGUID implements [Env] with a random (version 4) GUID.
func (BaseEnv) NewGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Rand implements [Env] with crypto randomness.
func (BaseEnv) Rand(min, max int64) (int64, error) {
	if max <= min {
		return min, nil
	}
	span := new(big.Int).Sub(big.NewInt(max), big.NewInt(min))
	n, err := rand.Int(rand.Reader, span)
	if err != nil {
		return 0, err
	}
	return min + n.Int64(), nil
}
