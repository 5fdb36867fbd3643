//! `[security_contact]`: the account's alternate contact for security, whom AWS writes to about
//! abuse reports and compromised credentials. Each field is checked against what the Account
//! Management API accepts (API reference, `AlternateContact`), so a bad value is refused here
//! rather than by `PutAlternateContact` halfway through an apply.

use toml::Spanned;

use super::super::SecurityContact;
use super::super::raw::RawSecurityContact;
use super::checks::Checks;
use super::primitives::is_email_address;
use super::sections::{Sections, Written};

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.security_contact = checks.declared(written, Checks::security_contact);
}

impl Checks<'_> {
    fn security_contact(&mut self, raw: RawSecurityContact) -> Option<SecurityContact> {
        let before = self.problems.len();
        self.text_of_length(&raw.name, "name", 64);
        self.text_of_length(&raw.title, "title", 50);
        if !is_email_address(raw.email.get_ref()) {
            self.error(
                raw.email.span(),
                format!("`{}` is not an email address", raw.email.get_ref()),
                "write a plain address such as \"security@example.com\": at most 254 characters, no display name, no address in brackets",
            );
        } else if !within_account_email_pattern(raw.email.get_ref()) {
            self.error(
                raw.email.span(),
                format!(
                    "`{}` is an email address AWS does not take for a contact",
                    raw.email.get_ref()
                ),
                "before the @, use only letters, digits and + = . # | ! & - _",
            );
        }
        let phone = raw.phone.get_ref();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if phone.len() > 25
            || digits == 0
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " ()+-".contains(c))
        {
            self.error(
                raw.phone.span(),
                format!("`{phone}` is not a phone number AWS accepts"),
                "write up to 25 digits, spaces and + ( ) -, e.g. \"+1 206 555 0100\"",
            );
        }
        (self.problems.len() == before).then(|| SecurityContact {
            name: raw.name.into_inner(),
            title: raw.title.into_inner(),
            email: raw.email.into_inner(),
            phone: raw.phone.into_inner(),
        })
    }

    /// AWS counts every character sent, spaces around the text included, and takes no text of
    /// spaces alone.
    fn text_of_length(&mut self, value: &Spanned<String>, key: &str, most: usize) {
        let text = value.get_ref();
        let length = text.chars().count();
        let problem = if text.trim().is_empty() {
            format!("`{key}` is empty")
        } else if length > most {
            format!("`{key}` must hold at most {most} characters, not {length}")
        } else {
            return;
        };
        self.error(
            value.span(),
            problem,
            format!(
                "write the contact's {key} in 1 to {most} characters, spaces around it included"
            ),
        );
    }
}

/// The Account Management API's pattern for a contact's address, `[\w+=.#|!&-]+@[\w.-]+\.\w+`
/// (API reference, `AlternateContact`), narrower than an address SNS takes: no `'` or `%`
/// before the `@`.
fn within_account_email_pattern(address: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let Some((_, top)) = domain.rsplit_once('.') else {
        return false;
    };
    !local.is_empty()
        && local.chars().all(|c| word(c) || "+=.#|!&-".contains(c))
        && domain.chars().all(|c| word(c) || ".-".contains(c))
        && !top.is_empty()
        && top.chars().all(word)
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    const SCOPE: &str = "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n";

    fn problems(section: &str) -> Vec<String> {
        parse(&format!("{SCOPE}[security_contact]\n{section}"))
            .expect_err("the baseline should be rejected")
            .into_iter()
            .map(|problem| problem.message)
            .collect()
    }

    #[test]
    fn a_contact_is_read_as_written() {
        let baseline = parse(&format!(
            "{SCOPE}[security_contact]\nname = \"Security team\"\ntitle = \"CISO\"\nemail = \"sec@corp.io\"\nphone = \"+44 20 7946 0000\"\n"
        ))
        .expect("valid");
        let contact = baseline.security_contact.expect("declared");
        assert_eq!(contact.email, "sec@corp.io");
        assert_eq!(contact.phone, "+44 20 7946 0000");
    }

    #[test]
    fn what_the_account_api_refuses_is_refused_with_the_place() {
        assert_eq!(
            problems(
                "name = \"\"\ntitle = \"Chief Information Security Officer, Europe, Middle East\"\nemail = \"Security <sec@corp.io>\"\nphone = \"call 555\"\n"
            ),
            [
                "`name` is empty",
                "`title` must hold at most 50 characters, not 55",
                "`Security <sec@corp.io>` is not an email address",
                "`call 555` is not a phone number AWS accepts",
            ]
        );
        assert_eq!(
            problems(
                "name = \"   \"\ntitle = \"CISO\"\nemail = \"o'brien@corp.io\"\nphone = \"+1 206 555 0100\"\n"
            ),
            [
                "`name` is empty",
                "`o'brien@corp.io` is an email address AWS does not take for a contact",
            ]
        );
        let missing = problems("name = \"Security\"\n");
        assert!(
            missing.iter().any(|message| message.contains("title")),
            "{missing:?}"
        );
    }
}
