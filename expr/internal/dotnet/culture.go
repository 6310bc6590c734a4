// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"fmt"
	"strings"
)

// culture is the subset of .NET CultureInfo data (DateTimeFormatInfo and
// NumberFormatInfo) that formatting needs. Values follow .NET 5+ on ICU.
type culture struct {
	name string

	months      [12]string // standalone, as MonthNames
	monthsAbbr  [12]string // standalone, as AbbreviatedMonthNames
	monthsGen   [12]string // genitive, used when the format also has a day; empty means months
	monthsAbbrG [12]string // genitive abbreviations; empty means monthsAbbr
	days        [7]string  // from Sunday
	daysAbbr    [7]string
	am, pm      string

	shortDate, longDate, shortTime, longTime, monthDay, yearMonth string
	dateSep, timeSep                                              string

	decimal, group, negative string
	currency                 string
	currencyDigits           int
	currencyPos, currencyNeg int // CurrencyPositivePattern, CurrencyNegativePattern
	percentPos, percentNeg   int // PercentPositivePattern, PercentNegativePattern
	nan, posInf, negInf      string
}

var englishMonths = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var englishMonthsAbbr = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
var englishDays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
var englishDaysAbbr = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// invariant is CultureInfo.InvariantCulture.
var invariant = &culture{
	name: "", months: englishMonths, monthsAbbr: englishMonthsAbbr,
	days: englishDays, daysAbbr: englishDaysAbbr, am: "AM", pm: "PM",
	shortDate: "MM/dd/yyyy", longDate: "dddd, dd MMMM yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
	monthDay: "MMMM dd", yearMonth: "yyyy MMMM", dateSep: "/", timeSep: ":",
	decimal: ".", group: ",", negative: "-", currency: "¤", currencyDigits: 2,
	currencyPos: 0, currencyNeg: 0, percentPos: 0, percentNeg: 0,
	nan: "NaN", posInf: "Infinity", negInf: "-Infinity",
}

var cultures = map[string]*culture{
	"en-us": {
		name: "en-US", months: englishMonths, monthsAbbr: englishMonthsAbbr,
		days: englishDays, daysAbbr: englishDaysAbbr, am: "AM", pm: "PM",
		shortDate: "M/d/yyyy", longDate: "dddd, MMMM d, yyyy", shortTime: "h:mm tt", longTime: "h:mm:ss tt",
		monthDay: "MMMM d", yearMonth: "MMMM yyyy", dateSep: "/", timeSep: ":",
		decimal: ".", group: ",", negative: "-", currency: "$", currencyDigits: 2,
		currencyPos: 0, currencyNeg: 1, percentPos: 1, percentNeg: 1,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"en-gb": {
		name: "en-GB", months: englishMonths, monthsAbbr: englishMonthsAbbr,
		days: englishDays, daysAbbr: englishDaysAbbr, am: "am", pm: "pm",
		shortDate: "dd/MM/yyyy", longDate: "dddd, d MMMM yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
		monthDay: "d MMMM", yearMonth: "MMMM yyyy", dateSep: "/", timeSep: ":",
		decimal: ".", group: ",", negative: "-", currency: "£", currencyDigits: 2,
		currencyPos: 0, currencyNeg: 1, percentPos: 1, percentNeg: 1,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"de-de": {
		name:        "de-DE",
		months:      [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		monthsAbbr:  [12]string{"Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"},
		monthsAbbrG: [12]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."},
		days:        [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		daysAbbr:    [7]string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"},
		am:          "AM", pm: "PM",
		shortDate: "dd.MM.yyyy", longDate: "dddd, d. MMMM yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
		monthDay: "d. MMMM", yearMonth: "MMMM yyyy", dateSep: ".", timeSep: ":",
		decimal: ",", group: ".", negative: "-", currency: "€", currencyDigits: 2,
		currencyPos: 3, currencyNeg: 8, percentPos: 0, percentNeg: 0,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"fr-fr": {
		name:       "fr-FR",
		months:     [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		monthsAbbr: [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		days:       [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		daysAbbr:   [7]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."},
		am:         "AM", pm: "PM",
		shortDate: "dd/MM/yyyy", longDate: "dddd d MMMM yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
		monthDay: "d MMMM", yearMonth: "MMMM yyyy", dateSep: "/", timeSep: ":",
		decimal: ",", group: "\u202f", negative: "-", currency: "€", currencyDigits: 2,
		currencyPos: 3, currencyNeg: 8, percentPos: 0, percentNeg: 0,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"es-es": {
		name:       "es-ES",
		months:     [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		monthsAbbr: [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
		days:       [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		daysAbbr:   [7]string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"},
		am:         "a.\u00a0m.", pm: "p.\u00a0m.",
		shortDate: "dd/MM/yyyy", longDate: "dddd, d 'de' MMMM 'de' yyyy", shortTime: "H:mm", longTime: "H:mm:ss",
		monthDay: "d 'de' MMMM", yearMonth: "MMMM 'de' yyyy", dateSep: "/", timeSep: ":",
		decimal: ",", group: ".", negative: "-", currency: "€", currencyDigits: 2,
		currencyPos: 3, currencyNeg: 8, percentPos: 0, percentNeg: 0,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"it-it": {
		name:       "it-IT",
		months:     [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		monthsAbbr: [12]string{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},
		days:       [7]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
		daysAbbr:   [7]string{"dom", "lun", "mar", "mer", "gio", "ven", "sab"},
		am:         "AM", pm: "PM",
		shortDate: "dd/MM/yyyy", longDate: "dddd d MMMM yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
		monthDay: "d MMMM", yearMonth: "MMMM yyyy", dateSep: "/", timeSep: ":",
		decimal: ",", group: ".", negative: "-", currency: "€", currencyDigits: 2,
		currencyPos: 3, currencyNeg: 8, percentPos: 1, percentNeg: 1,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"nl-nl": {
		name:       "nl-NL",
		months:     [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		monthsAbbr: [12]string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},
		days:       [7]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		daysAbbr:   [7]string{"zo", "ma", "di", "wo", "do", "vr", "za"},
		am:         "a.m.", pm: "p.m.",
		shortDate: "d-M-yyyy", longDate: "dddd d MMMM yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
		monthDay: "d MMMM", yearMonth: "MMMM yyyy", dateSep: "-", timeSep: ":",
		decimal: ",", group: ".", negative: "-", currency: "€", currencyDigits: 2,
		currencyPos: 2, currencyNeg: 12, percentPos: 1, percentNeg: 1,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"pt-br": {
		name:       "pt-BR",
		months:     [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		monthsAbbr: [12]string{"jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."},
		days:       [7]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
		daysAbbr:   [7]string{"dom.", "seg.", "ter.", "qua.", "qui.", "sex.", "sáb."},
		am:         "AM", pm: "PM",
		shortDate: "dd/MM/yyyy", longDate: "dddd, d 'de' MMMM 'de' yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
		monthDay: "d 'de' MMMM", yearMonth: "MMMM 'de' yyyy", dateSep: "/", timeSep: ":",
		decimal: ",", group: ".", negative: "-", currency: "R$", currencyDigits: 2,
		currencyPos: 2, currencyNeg: 9, percentPos: 1, percentNeg: 1,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"sv-se": {
		name:       "sv-SE",
		months:     [12]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
		monthsAbbr: [12]string{"jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec."},
		days:       [7]string{"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"},
		daysAbbr:   [7]string{"sön", "mån", "tis", "ons", "tors", "fre", "lör"},
		am:         "fm", pm: "em",
		shortDate: "yyyy-MM-dd", longDate: "dddd d MMMM yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
		monthDay: "d MMMM", yearMonth: "MMMM yyyy", dateSep: "-", timeSep: ":",
		decimal: ",", group: "\u00a0", negative: "\u2212", currency: "kr", currencyDigits: 2,
		currencyPos: 3, currencyNeg: 8, percentPos: 0, percentNeg: 0,
		nan: "NaN", posInf: "∞", negInf: "\u2212∞",
	},
	"is-is": {
		name:       "is-IS",
		months:     [12]string{"janúar", "febrúar", "mars", "apríl", "maí", "júní", "júlí", "ágúst", "september", "október", "nóvember", "desember"},
		monthsAbbr: [12]string{"jan.", "feb.", "mar.", "apr.", "maí", "jún.", "júl.", "ágú.", "sep.", "okt.", "nóv.", "des."},
		days:       [7]string{"sunnudagur", "mánudagur", "þriðjudagur", "miðvikudagur", "fimmtudagur", "föstudagur", "laugardagur"},
		daysAbbr:   [7]string{"sun.", "mán.", "þri.", "mið.", "fim.", "fös.", "lau."},
		am:         "f.h.", pm: "e.h.",
		shortDate: "d.M.yyyy", longDate: "dddd, d. MMMM yyyy", shortTime: "HH:mm", longTime: "HH:mm:ss",
		monthDay: "d. MMMM", yearMonth: "MMMM yyyy", dateSep: ".", timeSep: ":",
		decimal: ",", group: ".", negative: "-", currency: "kr", currencyDigits: 0,
		currencyPos: 3, currencyNeg: 8, percentPos: 1, percentNeg: 1,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
	"ja-jp": {
		name:       "ja-JP",
		months:     [12]string{"1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"},
		monthsAbbr: [12]string{"1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"},
		days:       [7]string{"日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"},
		daysAbbr:   [7]string{"日", "月", "火", "水", "木", "金", "土"},
		am:         "午前", pm: "午後",
		shortDate: "yyyy/MM/dd", longDate: "yyyy年M月d日dddd", shortTime: "H:mm", longTime: "H:mm:ss",
		monthDay: "M月d日", yearMonth: "yyyy年M月", dateSep: "/", timeSep: ":",
		decimal: ".", group: ",", negative: "-", currency: "￥", currencyDigits: 0,
		currencyPos: 0, currencyNeg: 1, percentPos: 1, percentNeg: 1,
		nan: "NaN", posInf: "∞", negInf: "-∞",
	},
}

// neutral maps neutral culture names to the specific culture .NET formats
// them like.
var neutral = map[string]string{
	"en": "en-us", "de": "de-de", "fr": "fr-fr", "es": "es-es", "it": "it-it",
	"nl": "nl-nl", "pt": "pt-br", "sv": "sv-se", "is": "is-is", "ja": "ja-jp",
}

// lookupCulture resolves a culture name: "" is en-US, "iv" and "invariant"
// are the invariant culture, names are case-insensitive and "_" may stand
// for "-".
func lookupCulture(name string) (*culture, error) {
	key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "_", "-"))
	switch key {
	case "":
		return cultures["en-us"], nil
	case "iv", "invariant":
		return invariant, nil
	}
	if c, ok := cultures[key]; ok {
		return c, nil
	}
	if n, ok := neutral[key]; ok {
		return cultures[n], nil
	}
	return nil, fmt.Errorf("unsupported culture %q", name)
}

func (c *culture) monthName(m int, genitive bool) string {
	if genitive && c.monthsGen[m] != "" {
		return c.monthsGen[m]
	}
	return c.months[m]
}

func (c *culture) monthAbbr(m int, genitive bool) string {
	if genitive && c.monthsAbbrG[m] != "" {
		return c.monthsAbbrG[m]
	}
	return c.monthsAbbr[m]
}
