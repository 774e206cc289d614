//! Rotating SASL credentials: `kprod_sasl_set_credentials`, for a password
//! rotated on the cluster while the producer runs.

use std::ffi::CString;

use kprod_sys as sys;

use crate::config::ErrorText;
use crate::error::{Error, ErrorCode};
use crate::producer::Producer;

impl Producer {
    /// Replaces the SASL PLAIN/SCRAM user name and password of the running
    /// producer (`sasl.mechanism` PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512).
    /// Every connection made from now on, and every re-authentication of an
    /// open one (KIP-368, when the broker sets `connections.max.reauth.ms`),
    /// uses them; open connections carry on and no record is dropped. Fails
    /// with [`ErrorCode::InvalidArg`] (an empty string, or one holding NUL),
    /// [`ErrorCode::State`] (the producer does not log in with a user name and
    /// password), or [`ErrorCode::Forked`].
    pub fn set_sasl_credentials(&self, username: &str, password: &str) -> Result<(), Error> {
        let invalid = || {
            Error::new(
                ErrorCode::InvalidArg,
                "set_sasl_credentials: username and password must be non-empty and hold no NUL",
            )
        };
        if username.is_empty() || password.is_empty() {
            return Err(invalid());
        }
        let username = CString::new(username).map_err(|_| invalid())?;
        let password = CString::new(password).map_err(|_| invalid())?;
        let mut errstr = ErrorText::new();
        let code = unsafe {
            sys::kprod_sasl_set_credentials(
                self.shared.handle(),
                username.as_ptr(),
                password.as_ptr(),
                errstr.as_mut_ptr(),
                errstr.capacity(),
            )
        };
        match ErrorCode::from_raw(code) {
            None => Ok(()),
            Some(code) => Err(Error::new(
                code,
                errstr.or_else(code, "set_sasl_credentials"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ErrorCode, ProducerConfig};

    // No broker needed: nothing connects before the first record. The rotation
    // itself, against a broker, is tests/security/test_credential_rotation.
    #[test]
    fn a_password_login_takes_new_credentials() {
        let producer = ProducerConfig::new()
            .set("bootstrap.servers", "127.0.0.1:1")
            .set("security.protocol", "SASL_PLAINTEXT")
            .set("sasl.mechanism", "SCRAM-SHA-256")
            .set("sasl.username", "alice")
            .set("sasl.password", "old-password")
            .create()
            .unwrap();
        producer
            .set_sasl_credentials("alice", "new-password")
            .unwrap();
        let refused = producer.set_sasl_credentials("alice", "").unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidArg);
        let refused = producer.set_sasl_credentials("al\0ice", "x").unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidArg);
    }

    #[test]
    fn a_producer_without_a_password_login_refuses() {
        let producer = ProducerConfig::new()
            .set("bootstrap.servers", "127.0.0.1:1")
            .create()
            .unwrap();
        let refused = producer.set_sasl_credentials("alice", "pw").unwrap_err();
        assert_eq!(refused.code(), ErrorCode::State);
        assert!(refused
            .message()
            .contains("does not log in with a user name and password"));
    }
}
