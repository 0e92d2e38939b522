//! The accounts of one collection run (SPEC §9): which credentials each side of the DR setup
//! is read with, who they turned out to be, which accounts' DR-region vaults are read on their
//! own, and what the snapshot records of each account. A side whose credentials cannot be
//! resolved (its role cannot be assumed) is an unreadable account: its part of the snapshot is
//! left out and named by a collection error, and the other sides are still collected.

use super::errors::Failure;
use super::sdk::{self, CredentialSource, SdkSettings};
use crate::inventory::{AccountRecord, CollectionError, ErrorCause, Side};
use aws_types::SdkConfig;

use crate::inventory::snapshot::ASSUME_ROLE_OPERATION as ASSUME_ROLE;

/// One credential source of a run and what became of it.
pub(super) struct Source {
    pub credentials: CredentialSource,
    pub sides: Vec<Side>,
    pub config: SdkConfig,
    /// Who the credentials belong to, asked in the primary and the DR region.
    pub identities: [Result<String, Failure>; 2],
    /// The account: as STS answered, else as the role ARN names it.
    pub account: String,
    /// Why the credentials could not be resolved, when they could not.
    pub credentials_failed: Option<String>,
}

impl Source {
    pub(super) fn new(
        credentials: CredentialSource,
        sides: Vec<Side>,
        config: SdkConfig,
        identities: [Result<String, Failure>; 2],
        credentials_failed: Option<String>,
    ) -> Self {
        let account = identities
            .iter()
            .find_map(|identity| identity.as_ref().ok().cloned())
            .or_else(|| credentials.role_arn.as_deref().and_then(sdk::role_account).map(str::to_string))
            .unwrap_or_default();
        Source { credentials, sides, config, identities, account, credentials_failed }
    }

    /// Whether anything at all can be read with these credentials.
    pub(super) fn readable(&self) -> bool {
        self.identities.iter().any(Result::is_ok)
    }

    pub(super) fn record(&self) -> AccountRecord {
        let unreadable = match &self.identities {
            [Err(failure), Err(_)] => Some(format!("{}: {}", failure.operation, failure.message)),
            _ => None,
        };
        AccountRecord {
            account: self.account.clone(),
            sides: self.sides.clone(),
            role_arn: self.credentials.role_arn.clone(),
            unreadable,
        }
    }
}

/// The credential sources of a run, each with the sides it plays, primary first: every side
/// that names no role of its own shares `--role-arn` (or the ambient credentials). Without
/// `--backup-role-arn` the DR side's account holds the backup vaults.
pub(super) fn plan(settings: &SdkSettings) -> Vec<(CredentialSource, Vec<Side>)> {
    let mut plan: Vec<(CredentialSource, Vec<Side>)> = Vec::new();
    let mut add = |source: CredentialSource, side: Side| match plan.iter_mut().find(|(s, _)| *s == source) {
        Some((_, sides)) if sides.contains(&side) => {}
        Some((_, sides)) => sides.push(side),
        None => plan.push((source, vec![side])),
    };
    for side in [Side::Primary, Side::Dr, Side::Dns] {
        add(settings.source_of(side), side);
    }
    if settings.side_roles.backup.is_empty() {
        add(settings.source_of(Side::Dr), Side::Backup);
    }
    for role in &settings.side_roles.backup {
        add(CredentialSource { role_arn: Some(role.clone()) }, Side::Backup);
    }
    plan
}

/// The source that plays `side` (the plan gives every side one; the primary's otherwise).
pub(super) fn source_of(sources: &[Source], side: Side) -> &Source {
    sources.iter().find(|s| s.sides.contains(&side)).unwrap_or(&sources[0])
}

/// The readable accounts whose DR-region vaults are read on their own: the backup side's, and
/// the primary side's (its plans may copy to a vault of its own in the DR region), when they
/// are not the DR side's account, whose DR region is collected whole. One per account.
pub(super) fn vault_holders<'a>(sources: &'a [Source], dr: &Source) -> Vec<&'a Source> {
    let mut holders: Vec<&Source> = Vec::new();
    for source in sources {
        let holds = source.sides.iter().any(|side| matches!(side, Side::Backup | Side::Primary));
        if holds
            && source.readable()
            && source.account != dr.account
            && !holders.iter().any(|h| h.account == source.account)
        {
            holders.push(source);
        }
    }
    holders
}

/// The backup side's accounts that could not be read and are not the DR side's.
pub(super) fn unreadable_vault_holders<'a>(
    sources: &'a [Source],
    dr: &'a Source,
) -> impl Iterator<Item = &'a Source> + 'a {
    sources
        .iter()
        .filter(move |s| s.sides.contains(&Side::Backup) && !s.readable() && s.account != dr.account)
}

/// Credentials that could not be resolved, for a side of a run that has others. The message
/// names the sides (outputs redact account IDs and ARNs from error texts).
pub(super) fn unassumable(role_arn: Option<&str>, sides: &[Side], message: &str) -> Failure {
    let sides = sides.iter().map(|side| side.as_str()).collect::<Vec<_>>().join(", ");
    match role_arn {
        Some(role) => Failure::new(
            ASSUME_ROLE,
            ErrorCause::AccessDenied,
            format!("the role of the {sides} side ({role}) could not be assumed: {message}"),
        ),
        None => Failure::new(
            "sts:GetCallerIdentity",
            ErrorCause::AccessDenied,
            format!("no AWS credentials for the {sides} side: {message}"),
        ),
    }
}

/// Name the account of errors that do not name one yet (a run over several accounts).
pub(super) fn attribute(errors: &mut [CollectionError], account: &str) {
    for error in errors {
        error.account.get_or_insert_with(|| account.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(arn: &str) -> CredentialSource {
        CredentialSource { role_arn: Some(arn.to_string()) }
    }

    #[test]
    fn without_side_roles_one_source_plays_every_side() {
        let settings = SdkSettings {
            role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
            ..SdkSettings::default()
        };
        assert_eq!(plan(&settings), vec![(role("arn:aws:iam::111111111111:role/r"), Side::ALL.to_vec())]);
    }

    #[test]
    fn each_side_role_is_a_source_and_the_rest_default_to_the_ambient_credentials() {
        let mut settings = SdkSettings::default();
        settings.side_roles.dr = Some("arn:aws:iam::222222222222:role/dr".into());
        settings.side_roles.backup =
            vec!["arn:aws:iam::333333333333:role/b".into(), "arn:aws:iam::222222222222:role/dr".into()];
        let ambient = CredentialSource { role_arn: None };
        assert_eq!(
            plan(&settings),
            vec![
                (ambient, vec![Side::Primary, Side::Dns]),
                (role("arn:aws:iam::222222222222:role/dr"), vec![Side::Dr, Side::Backup]),
                (role("arn:aws:iam::333333333333:role/b"), vec![Side::Backup]),
            ]
        );
    }
}
