package catalog

import "testing"

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Path: "apis/api-adresse.yaml", Line: 3, Severity: SeverityError, Message: `unknown access value "public"`},
			`apis/api-adresse.yaml:3: error: unknown access value "public"`},
		{Problem{Path: "apis/données été.yaml", Severity: SeverityWarning, Message: "pas de contact « ici »"},
			"apis/données été.yaml: warning: pas de contact « ici »"},
		{Problem{Path: "apis/a\napis/forged.yaml:1: error: fake.yaml", Severity: SeverityError, Message: "not a valid slug"},
			`"apis/a\napis/forged.yaml:1: error: fake.yaml": error: not a valid slug`},
		{Problem{Path: "apis/\x1b[2Jclear.yaml", Line: 2, Severity: SeverityError, Message: "x"},
			`"apis/\x1b[2Jclear.yaml":2: error: x`},
		{Problem{Path: "apis/\u202egnp.yaml", Severity: SeverityHint, Message: "x"},
			`"apis/\u202egnp.yaml": hint: x`},
		{Problem{Path: "apis/\xffbad.yaml", Severity: SeverityHint, Message: "x"},
			`"apis/\xffbad.yaml": hint: x`},
		{Problem{Path: "apis/x.yaml", Line: 4, Severity: SeverityError, Message: "cannot unmarshal !!str `\x1b[2J` into int\nforged line"},
			"apis/x.yaml:4: error: cannot unmarshal !!str `\\x1b[2J` into int\\nforged line"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}
