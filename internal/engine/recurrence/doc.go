// SPDX-License-Identifier: Apache-2.0

// Package recurrence computes the fire times of a Logic Apps recurrence: the
// `recurrence` block of a Recurrence trigger or of a polling trigger. It is a
// pure calculator (no I/O, no goroutines, no clock): the trigger scheduler
// decodes a [Recurrence] ([Decode] from the value model, [FromWorkflow] from
// the definition model), compiles it once with [Compile], and then asks the
// [Plan] for fire times with [Plan.Next] and [Plan.Due]. A Plan is
// immutable and safe for concurrent use.
//
// # Series
//
// Second, Minute and Hour recurrences are absolute: occurrences are
// startTime + k·interval·unit, whatever the time zone does. Day, Week and
// Month recurrences are calendar recurrences in the recurrence's time zone,
// so the local wall-clock time stays fixed across daylight-saving changes.
// The calendar is cut into periods: every interval-th day from the start
// date, every interval-th week (weeks start on Monday, ISO 8601) from the
// start week, every interval-th month from the start month. Without a
// schedule, each period holds one occurrence: the start's local time of day
// on the start's day of the period (for Month the start's day of month,
// clamped to the month's last day as .NET DateTime.AddMonths does, so a
// series starting on 31 January runs on 28/29 February and 31 March). With a
// schedule, a period holds every combination of its days (weekDays for Week,
// monthDays for Month) and hours × minutes, and occurrences before startTime
// are dropped. Without a startTime the series is anchored at the time the
// trigger was created or enabled (the anchor passed to [Compile]), and the
// anchor is itself the first occurrence of a simple series, as Logic Apps
// runs a trigger without a start time immediately.
//
// # Daylight saving
//
// A local time that does not exist (the hour skipped when clocks spring
// forward) fires at the first instant after the gap: 02:30 on the
// spring-forward day in Pacific time fires at 03:00 PDT. A local time that
// occurs twice (clocks falling back) fires once, at its first occurrence
// (01:30 PDT, not 01:30 PST). Both rules come from one definition: an
// occurrence at local time w fires at the earliest instant whose local time is
// at least w.
//
// # Missed occurrences
//
// The scheduler calls [Plan.Due] whenever it wakes up (on time or after
// downtime). If one or more occurrences fell between the last fire and now,
// Due reports one fire for the latest of them, never a burst, together with
// the first occurrence after now, so a trigger that was down for a day runs
// once when it comes back and then resumes its schedule. A trigger that has
// never fired counts occurrences from its anchor on, so a startTime in the
// past does not cause a catch-up fire either. See
// docs/recurrence.md for the whole set of rules and their sources.
package recurrence
