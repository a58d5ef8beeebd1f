//! Errors: one `Error` type carrying the engine's status (code, name, message),
//! an `ErrorKind` per status generated from `status.def`, and the `ErrorClass`
//! of its range.

use std::fmt;

use tokenverify_sys as sys;

macro_rules! define_error_kinds {
    ($(($variant:ident, $code:literal, $name:literal, $message:literal)),* $(,)?) => {
        /// One variant per failure status of the engine's table
        /// (`core/include/tokenverify/status.def`), generated at build time.
        ///
        /// `Unknown` stands for a code this crate was not built with (a newer library).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $(
                #[doc = concat!("`", $name, "` (", stringify!($code), "): ", $message)]
                $variant,
            )*
            /// A status this crate does not know.
            Unknown,
        }

        impl ErrorKind {
            /// Every kind of the table, in its order (`Unknown` excluded).
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant),*];

            /// The kind of a status code (`Unknown` for 0 and unknown codes).
            pub const fn from_code(code: i32) -> ErrorKind {
                match code {
                    $($code => ErrorKind::$variant,)*
                    _ => ErrorKind::Unknown,
                }
            }

            /// The status code, or -1 for `Unknown`.
            pub const fn code(self) -> i32 {
                match self {
                    $(ErrorKind::$variant => $code,)*
                    ErrorKind::Unknown => -1,
                }
            }

            /// The status name, e.g. `"TV_ERR_EXPIRED"` (`"TV_UNKNOWN_STATUS"` for `Unknown`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $name,)*
                    ErrorKind::Unknown => "TV_UNKNOWN_STATUS",
                }
            }

            /// The status's sentence from the table.
            pub const fn message(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $message,)*
                    ErrorKind::Unknown => "unknown status",
                }
            }
        }
    };
}

tokenverify_sys::tokenverify_status_table!(define_error_kinds);

impl ErrorKind {
    /// The class of the kind's range.
    pub const fn class(self) -> ErrorClass {
        ErrorClass::of_code(self.code())
    }
}

/// What a status is about, from its range (1xx ... 9xx).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// 1xx: the bytes are not a well-formed token (size, segments, base64url, JSON).
    Malformed,
    /// 2xx: header and algorithm.
    Header,
    /// 3xx: the signature does not verify.
    Signature,
    /// 4xx: time and claims (expired, issuer, audience, revoked, ...).
    Claims,
    /// 5xx: keys and key sets.
    Keys,
    /// 6xx: request authentication (credentials other than JWT, rules, request signatures).
    Request,
    /// 9xx: misuse, configuration and internal errors (a closed verifier too).
    Misuse,
    /// A code outside every range.
    Unknown,
}

impl ErrorClass {
    /// The class of a status code.
    pub const fn of_code(code: i32) -> ErrorClass {
        match code {
            100..=199 => ErrorClass::Malformed,
            200..=299 => ErrorClass::Header,
            300..=399 => ErrorClass::Signature,
            400..=499 => ErrorClass::Claims,
            500..=599 => ErrorClass::Keys,
            600..=699 => ErrorClass::Request,
            900..=999 => ErrorClass::Misuse,
            _ => ErrorClass::Unknown,
        }
    }
}

/// Human details of an error: the configuration field at fault and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Detail {
    field: String,
    message: String,
}

/// A failure of the engine: a status code from its table, with its name and
/// message, and for configuration errors (and a closed verifier) the field at
/// fault and a human explanation. Match on [`Error::kind`] or [`Error::code`];
/// the detail text is for logs.
///
/// A verification failure allocates nothing: the error is the code.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: i32,
    detail: Option<Box<Detail>>,
}

impl Error {
    /// The error for a status code (a failure; 0 is not one, but is accepted).
    pub fn from_code(code: i32) -> Error {
        Error { code, detail: None }
    }

    pub(crate) fn with_detail(code: i32, field: String, message: String) -> Error {
        Error { code, detail: Some(Box::new(Detail { field, message })) }
    }

    pub(crate) fn from_diag(code: i32, diag: &sys::tv_diag) -> Error {
        let text = |chars: &[std::ffi::c_char]| {
            let bytes: Vec<u8> = chars.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let (field, message) = (text(&diag.field), text(&diag.message));
        if field.is_empty() && message.is_empty() {
            Error::from_code(code)
        } else {
            Error::with_detail(code, field, message)
        }
    }

    /// Using a verifier after [`Verifier::close`](crate::Verifier::close): the
    /// engine's misuse status `TV_ERR_INVALID_ARGUMENT` (what the C ABI answers
    /// for a NULL verifier), with the detail "verifier is closed".
    pub(crate) fn closed() -> Error {
        Error::with_detail(sys::TV_ERR_INVALID_ARGUMENT, String::new(), "verifier is closed".to_string())
    }

    /// The status code, e.g. 400.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The status name, e.g. `"TV_ERR_EXPIRED"`.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The status's sentence from the table, e.g. "token has expired (exp)".
    pub fn message(&self) -> &'static str {
        self.kind().message()
    }

    /// The kind, one per status.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code)
    }

    /// The class of the status's range.
    pub fn class(&self) -> ErrorClass {
        ErrorClass::of_code(self.code)
    }

    /// For configuration errors: the configuration path at fault, e.g.
    /// `"providers[0].issuer"` (`None` when the engine named none).
    pub fn field(&self) -> Option<&str> {
        self.detail.as_ref().map(|d| d.field.as_str()).filter(|f| !f.is_empty())
    }

    /// Human text about this occurrence (configuration errors, a closed
    /// verifier), e.g. `unknown field "isser"`.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_ref().map(|d| d.message.as_str()).filter(|m| !m.is_empty())
    }

    /// Whether the verifier was closed (see [`Verifier::close`](crate::Verifier::close)).
    pub fn is_closed(&self) -> bool {
        self.code == sys::TV_ERR_INVALID_ARGUMENT && self.detail() == Some("verifier is closed")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())?;
        match (self.field(), self.detail()) {
            (Some(field), Some(detail)) => write!(f, ": {field}: {detail}"),
            (Some(field), None) => write!(f, ": {field}"),
            (None, Some(detail)) => write!(f, ": {detail}"),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("code", &self.code).field("name", &self.name());
        if let Some(field) = self.field() {
            d.field("field", &field);
        }
        if let Some(detail) = self.detail() {
            d.field("detail", &detail);
        }
        d.finish()
    }
}

impl std::error::Error for Error {}

/// `Ok(())` for `TV_OK`, else the error of the status.
#[inline]
pub(crate) fn check(status: sys::tv_status) -> Result<(), Error> {
    if status == sys::TV_OK {
        Ok(())
    } else {
        Err(Error::from_code(status))
    }
}
