package kprod

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Configuration: NewProducer's map holds kprod's properties (the Java producer's
// names, checked by libkprod) and a few of the binding's own, prefixed "go.".

// bindingSettings are the "go." properties.
type bindingSettings struct {
	deliveryReports     bool          // go.delivery.reports
	deliveriesQueueSize int           // go.deliveries.channel.size
	closeTimeout        time.Duration // go.close.timeout.ms
	eventsQueueSize     int           // go.events.channel.size
}

// bindingPropertyNames lists the "go." properties, for error messages.
var bindingPropertyNames = []string{"go.delivery.reports", "go.deliveries.channel.size", "go.close.timeout.ms", "go.events.channel.size"}

const bindingPrefix = "go."

// splitConfig separates the binding's properties from kprod's, checks the
// former, and returns kprod's names in a fixed order (so that the first error
// reported does not depend on map order).
func splitConfig(config map[string]string) (bindingSettings, []string, error) {
	settings := bindingSettings{deliveryReports: true, deliveriesQueueSize: 10000, closeTimeout: 30 * time.Second,
		eventsQueueSize: 100}
	var kprodNames []string
	for name := range config {
		if !strings.HasPrefix(name, bindingPrefix) {
			kprodNames = append(kprodNames, name)
		}
	}
	sort.Strings(kprodNames)
	var bindingNames []string
	for name := range config {
		if strings.HasPrefix(name, bindingPrefix) {
			bindingNames = append(bindingNames, name)
		}
	}
	sort.Strings(bindingNames)
	for _, name := range bindingNames {
		if err := settings.set(name, strings.TrimSpace(config[name])); err != nil {
			return settings, nil, err
		}
	}
	return settings, kprodNames, nil
}

func (s *bindingSettings) set(name, value string) error {
	switch name {
	case "go.delivery.reports":
		on, err := strconv.ParseBool(value)
		if err != nil {
			return newError(ErrInvalidValue, "%s: expected true or false, got %q", name, value)
		}
		s.deliveryReports = on
	case "go.deliveries.channel.size", "go.events.channel.size":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return newError(ErrInvalidValue, "%s: expected an integer >= 0, got %q", name, value)
		}
		if name == "go.events.channel.size" {
			s.eventsQueueSize = n
		} else {
			s.deliveriesQueueSize = n
		}
	case "go.close.timeout.ms":
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil || n < 0 {
			return newError(ErrInvalidValue, "%s: expected an integer 0..2147483647, got %q", name, value)
		}
		s.closeTimeout = time.Duration(n) * time.Millisecond
	default:
		return newError(ErrUnknownProperty, "no such property %q; the Go binding's own are %s",
			name, strings.Join(bindingPropertyNames, ", "))
	}
	return nil
}
