package main

// AWS_MSK_IAM on the fake broker: with -msk-iam-secret set, SaslHandshake
// offers AWS_MSK_IAM and SaslAuthenticate checks the client's signed JSON
// payload the way an MSK broker does, with this file's own SigV4 (Go's
// crypto/hmac and crypto/sha256, not kprod's code): the access key, region,
// service and date of the credential scope, the time (within 15 minutes), the
// session token when one is expected, and the signature under the known
// secret. A good payload gets {"version":"2020_10_22","request-id":...}; any
// other gets SASL_AUTHENTICATION_FAILED with the reason. Counted in the
// report as msk_iam_accepted and msk_iam_refused, one "refused reason=..." line
// per refusal.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const saslAuthenticationFailed = 58

type mskIAMVerifier struct {
	cluster      *kfake.Cluster
	accessKey    string
	secret       string
	region       string
	sessionToken string

	mu       sync.Mutex
	accepted int
	refusals []string
}

func (v *mskIAMVerifier) install(cluster *kfake.Cluster) {
	v.cluster = cluster
	cluster.ControlKey(int16(kmsg.SASLHandshake), v.onHandshake)
	cluster.ControlKey(int16(kmsg.SASLAuthenticate), v.onAuthenticate)
}

func (v *mskIAMVerifier) onHandshake(kreq kmsg.Request) (kmsg.Response, error, bool) {
	v.cluster.KeepControl()
	req := kreq.(*kmsg.SASLHandshakeRequest)
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	resp.SupportedMechanisms = []string{"AWS_MSK_IAM"}
	if req.Mechanism != "AWS_MSK_IAM" {
		resp.ErrorCode = 33 // UNSUPPORTED_SASL_MECHANISM
	}
	return resp, nil, true
}

func (v *mskIAMVerifier) onAuthenticate(kreq kmsg.Request) (kmsg.Response, error, bool) {
	v.cluster.KeepControl()
	req := kreq.(*kmsg.SASLAuthenticateRequest)
	resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
	v.mu.Lock()
	defer v.mu.Unlock()
	if reason := v.verify(req.SASLAuthBytes); reason != "" {
		v.refusals = append(v.refusals, reason)
		resp.ErrorCode = saslAuthenticationFailed
		message := "AWS_MSK_IAM refused: " + reason
		resp.ErrorMessage = &message
		return resp, nil, true
	}
	v.accepted++
	resp.SASLAuthBytes = []byte(fmt.Sprintf(`{"version":"2020_10_22","request-id":"fake-%d"}`, v.accepted))
	resp.SessionLifetimeMillis = 0
	return resp, nil, true
}

// verify returns why the payload is refused, or "".
func (v *mskIAMVerifier) verify(payload []byte) string {
	var fields map[string]string
	if err := json.Unmarshal(payload, &fields); err != nil {
		return "the payload is not a JSON object of strings: " + err.Error()
	}
	for key, want := range map[string]string{
		"version": "2020_10_22", "action": "kafka-cluster:Connect",
		"x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-signedheaders": "host",
	} {
		if fields[key] != want {
			return fmt.Sprintf("%s is %q, expected %q", key, fields[key], want)
		}
	}
	host, date := fields["host"], fields["x-amz-date"]
	signed, err := time.Parse("20060102T150405Z", date)
	if err != nil || host == "" {
		return "host or x-amz-date missing or malformed"
	}
	if skew := time.Since(signed); skew > 15*time.Minute || skew < -15*time.Minute {
		return fmt.Sprintf("x-amz-date %s is %s away from now", date, skew)
	}
	scope := strings.Split(fields["x-amz-credential"], "/")
	if len(scope) != 5 || scope[0] != v.accessKey || scope[1] != date[:8] || scope[2] != v.region ||
		scope[3] != "kafka-cluster" || scope[4] != "aws4_request" {
		return fmt.Sprintf("x-amz-credential %q does not name access key %s, date %s, region %s, kafka-cluster",
			fields["x-amz-credential"], v.accessKey, date[:8], v.region)
	}
	if fields["x-amz-security-token"] != v.sessionToken {
		return "x-amz-security-token is not the session token expected"
	}
	if !hmac.Equal([]byte(fields["x-amz-signature"]), []byte(v.signature(fields))) {
		return "the signature does not match"
	}
	return ""
}

// The SigV4 signature of the presigned GET https://host/?Action=...&X-Amz-...
func (v *mskIAMVerifier) signature(fields map[string]string) string {
	query := map[string]string{
		"Action":              fields["action"],
		"X-Amz-Algorithm":     fields["x-amz-algorithm"],
		"X-Amz-Credential":    fields["x-amz-credential"],
		"X-Amz-Date":          fields["x-amz-date"],
		"X-Amz-Expires":       fields["x-amz-expires"],
		"X-Amz-SignedHeaders": fields["x-amz-signedheaders"],
	}
	if token, ok := fields["x-amz-security-token"]; ok {
		query["X-Amz-Security-Token"] = token
	}
	names := make([]string, 0, len(query))
	for name := range query {
		names = append(names, name)
	}
	sort.Strings(names)
	pairs := make([]string, 0, len(names))
	for _, name := range names {
		// url.QueryEscape writes a space as +; SigV4 wants %20.
		value := strings.ReplaceAll(url.QueryEscape(query[name]), "+", "%20")
		pairs = append(pairs, url.QueryEscape(name)+"="+value)
	}
	emptyBody := sha256.Sum256(nil)
	canonical := "GET\n/\n" + strings.Join(pairs, "&") + "\nhost:" + fields["host"] + "\n\nhost\n" +
		hex.EncodeToString(emptyBody[:])
	canonicalHash := sha256.Sum256([]byte(canonical))
	date := fields["x-amz-date"]
	scope := date[:8] + "/" + v.region + "/kafka-cluster/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hex.EncodeToString(canonicalHash[:])
	key := []byte("AWS4" + v.secret)
	for _, part := range []string{date[:8], v.region, "kafka-cluster", "aws4_request"} {
		key = mac(key, part)
	}
	return hex.EncodeToString(mac(key, toSign))
}

func mac(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func (v *mskIAMVerifier) report(w io.Writer) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(w, "stat msk_iam_accepted=%d\n", v.accepted)
	fmt.Fprintf(w, "stat msk_iam_refused=%d\n", len(v.refusals))
	for _, reason := range v.refusals {
		fmt.Fprintf(w, "refused reason=%s\n", strings.ReplaceAll(reason, " ", "_"))
	}
}
