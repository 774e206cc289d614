//! Raw FFI bindings to libkprod, generated at build time by bindgen from the
//! `kprod.h` that pkg-config finds (see `build.rs`).
//!
//! Everything here is `unsafe` and follows the C documentation in `kprod.h`
//! word for word. Use the `kprod` crate for a safe API.
#![allow(non_camel_case_types, non_upper_case_globals, non_snake_case)]
#![allow(clippy::all, rustdoc::all, missing_docs)]

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn linked_library_matches_the_header() {
        // The library actually loaded reports the version the header was generated from.
        let loaded = unsafe { kprod_version() };
        assert_eq!(loaded, KPROD_VERSION_NUMBER);
        let text = unsafe { CStr::from_ptr(kprod_version_str()) };
        assert_eq!(
            text.to_str().unwrap(),
            format!(
                "{}.{}.{}",
                KPROD_VERSION_MAJOR, KPROD_VERSION_MINOR, KPROD_VERSION_PATCH
            )
        );
    }

    /// With the vendored feature, libkprod is inside the test program: no
    /// libkprod.so is loaded (scripts/test runs this with a clean PKG_CONFIG_PATH).
    #[cfg(feature = "vendored")]
    #[test]
    fn vendored_libkprod_is_linked_statically() {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        assert!(!maps.contains("libkprod.so"), "a shared libkprod is loaded");
        assert_eq!(unsafe { kprod_version() }, KPROD_VERSION_NUMBER);
    }

    #[test]
    fn first_layouts_of_the_versioned_structs() {
        // kprod.h 1.0: a report starts with its version, and its version 2
        // appended latency_us after the version 1 fields; a message's version 2
        // appended header_size after the version 1 fields.
        assert_eq!(KPROD_REPORT_VERSION, 2);
        assert_eq!(
            std::mem::offset_of!(kprod_report_t, latency_us),
            std::mem::offset_of!(kprod_report_t, opaque) + std::mem::size_of::<usize>()
        );
        assert_eq!(KPROD_MESSAGE_VERSION, 2);
        assert_eq!(std::mem::offset_of!(kprod_report_t, version), 0);
        assert_eq!(
            std::mem::offset_of!(kprod_message_t, header_size),
            std::mem::offset_of!(kprod_message_t, opaque) + std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn error_and_broker_error_names_come_from_c() {
        let name = unsafe { CStr::from_ptr(kprod_err_name(KPROD_ERR_QUEUE_FULL)) };
        assert_eq!(name.to_str().unwrap(), "KPROD_ERR_QUEUE_FULL");
        let name = unsafe { CStr::from_ptr(kprod_broker_error_name(6)) };
        assert_eq!(name.to_str().unwrap(), "NOT_LEADER_OR_FOLLOWER");
        assert!(unsafe { kprod_broker_error_name(1000) }.is_null());
    }

    #[test]
    fn error_strings_come_from_c() {
        let text = unsafe { CStr::from_ptr(kprod_err_str(KPROD_ERR_CLOSED)) };
        assert!(!text.to_bytes().is_empty());
    }

    #[test]
    fn conf_set_names_the_property() {
        unsafe {
            let conf = kprod_conf_new();
            assert!(!conf.is_null());
            let mut err = [0 as std::os::raw::c_char; 256];
            let code = kprod_conf_set(
                conf,
                c"linger.ms".as_ptr(),
                c"soon".as_ptr(),
                err.as_mut_ptr(),
                err.len(),
            );
            assert_eq!(code, KPROD_ERR_INVALID_VALUE);
            let message = CStr::from_ptr(err.as_ptr()).to_string_lossy();
            assert!(message.contains("linger.ms"), "{message}");
            kprod_conf_destroy(conf);
        }
    }
}
