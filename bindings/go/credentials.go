package kprod

// Rotating SASL credentials: kprod_sasl_set_credentials, for a password
// rotated on the cluster while the producer runs.

// #include <stdlib.h>
// #include <string.h>
// #include "ffi.h"
import "C"

import "unsafe"

// SetSASLCredentials replaces the SASL PLAIN/SCRAM user name and password of
// the running producer (sasl.mechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512).
// Every connection made from now on, and every re-authentication of an open
// one (KIP-368, when the broker sets connections.max.reauth.ms), uses them;
// open connections carry on and no message is dropped. It returns nil, or an
// *Error with ErrInvalidArg (an empty username or password), ErrState (the
// producer does not log in with a user name and password) or ErrClosed.
func (p *Producer) SetSASLCredentials(username, password string) error {
	if username == "" || password == "" {
		return newError(ErrInvalidArg, "SetSASLCredentials: username and password must not be empty")
	}
	code, message, err := p.callTransactional(func() (ErrorCode, string) {
		return setSASLCredentials(p.handle, username, password)
	})
	if err != nil {
		return err
	}
	if code != noError {
		return &Error{Code: code, Message: message}
	}
	return nil
}

func setSASLCredentials(handle *C.kprod_t, username, password string) (ErrorCode, string) {
	cUsername, cPassword := C.CString(username), C.CString(password)
	defer C.free(unsafe.Pointer(cUsername))
	defer func() {
		// The password is a secret: wipe the C copy before freeing it.
		C.memset(unsafe.Pointer(cPassword), 0, C.size_t(len(password)))
		C.free(unsafe.Pointer(cPassword))
	}()
	var errstr [512]C.char
	code := C.kprod_sasl_set_credentials(handle, cUsername, cPassword, &errstr[0], C.size_t(len(errstr)))
	return txnResult(code, errstr[:])
}
