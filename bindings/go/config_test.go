package kprod

import (
	"errors"
	"strings"
	"testing"
)

// Configuration errors need no broker: NewProducer checks every property first.

func TestConfigErrorsNameTheProperty(t *testing.T) {
	cases := []struct {
		name   string
		config map[string]string
		code   ErrorCode
		want   []string // in the message
	}{
		{"unknown kprod property", map[string]string{"bootstrap.servers": "127.0.0.1:1", "lniger.ms": "5"},
			ErrUnknownProperty, []string{`"lniger.ms"`, `did you mean "linger.ms"`}},
		{"invalid value", map[string]string{"bootstrap.servers": "127.0.0.1:1", "linger.ms": "soon"},
			ErrInvalidValue, []string{"linger.ms", `"soon"`}},
		{"invalid enum value", map[string]string{"bootstrap.servers": "127.0.0.1:1", "acks": "2"},
			ErrInvalidValue, []string{"acks"}},
		{"missing bootstrap.servers", map[string]string{"linger.ms": "5"},
			ErrInvalidConfig, []string{"bootstrap.servers"}},
		{"contradictory properties", map[string]string{"bootstrap.servers": "127.0.0.1:1",
			"enable.idempotence": "true", "acks": "1"},
			ErrInvalidConfig, []string{"enable.idempotence", "acks"}},
		{"unknown binding property", map[string]string{"bootstrap.servers": "127.0.0.1:1", "go.events": "1"},
			ErrUnknownProperty, []string{`"go.events"`, "go.delivery.reports"}},
		{"invalid binding value", map[string]string{"bootstrap.servers": "127.0.0.1:1", "go.delivery.reports": "maybe"},
			ErrInvalidValue, []string{"go.delivery.reports", `"maybe"`}},
		{"negative channel size", map[string]string{"bootstrap.servers": "127.0.0.1:1", "go.deliveries.channel.size": "-1"},
			ErrInvalidValue, []string{"go.deliveries.channel.size"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := NewProducer(c.config)
			if err == nil {
				p.Close()
				t.Fatal("NewProducer accepted the configuration")
			}
			if p != nil {
				t.Fatal("NewProducer returned a producer with an error")
			}
			var kerr *Error
			if !errors.As(err, &kerr) {
				t.Fatalf("error %v (%T) is not a *kprod.Error", err, err)
			}
			if kerr.Code != c.code || !errors.Is(err, c.code) {
				t.Errorf("code %d (%v), want %d (%v)", kerr.Code, kerr.Code, c.code, c.code)
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %s", err, want)
				}
			}
		})
	}
}

func TestBindingPropertiesAreAccepted(t *testing.T) {
	p, err := NewProducer(map[string]string{
		"bootstrap.servers":          "127.0.0.1:1",
		"go.delivery.reports":        "false",
		"go.deliveries.channel.size": "5",
		"go.close.timeout.ms":        "100",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cap(p.Deliveries()) != 5 {
		t.Errorf("Deliveries() capacity %d, want 5", cap(p.Deliveries()))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestErrorCodesMatchKprod(t *testing.T) {
	for code, text := range map[ErrorCode]string{
		ErrInvalidArg: "invalid argument", ErrClosed: "producer is closed", ErrTimedOut: "timed out",
		ErrUnknownTopic: "unknown topic", ErrUnsupported: "not supported",
	} {
		if code.Error() != text {
			t.Errorf("code %d says %q, kprod_err_str %q", code, code.Error(), text)
		}
	}
	err := error(&Error{Code: ErrBroker, BrokerError: 6})
	var code ErrorCode
	if !errors.As(err, &code) || code != ErrBroker ||
		!strings.Contains(err.Error(), "(Kafka error NOT_LEADER_OR_FOLLOWER, code 6)") {
		t.Errorf("broker error: %v, code %d", err, code)
	}
	if text := (&Error{Code: ErrBroker, BrokerError: 1000}).Error(); !strings.Contains(text, "(Kafka error code 1000)") {
		t.Errorf("unknown broker error: %v", text)
	}
	if ErrQueueFull.Name() != "KPROD_ERR_QUEUE_FULL" || ErrorCode(999).Name() != "" {
		t.Errorf("names: %q, %q", ErrQueueFull.Name(), ErrorCode(999).Name())
	}
	if Version() == "" {
		t.Error("empty Version()")
	}
}

func TestProduceRejectsBadMessages(t *testing.T) {
	p, err := NewProducer(map[string]string{"bootstrap.servers": "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for name, msg := range map[string]*Message{
		"nil":                nil,
		"empty topic":        {Value: []byte("v")},
		"NUL in topic":       {Topic: "a\x00b"},
		"negative partition": {Topic: "t", Partition: ToPartition(-7)},
		"too many headers":   {Topic: "t", Headers: make([]Header, maxHeaders+1)},
	} {
		if err := p.Produce(msg, nil); !errors.Is(err, ErrInvalidArg) {
			t.Errorf("%s: Produce returned %v, want ErrInvalidArg", name, err)
		}
	}
	if p.Len() != 0 {
		t.Errorf("Len() %d after refused messages", p.Len())
	}
}
