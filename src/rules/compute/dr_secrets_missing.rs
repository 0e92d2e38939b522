use crate::findings::resource;
use crate::inventory::graph::LaunchResolution;
use crate::inventory::{ErrorCause, Known, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Checks what the DR side reads at start-up besides its own resources:
    /// - every Secrets Manager secret of an application in the primary region — tagged with
    ///   the application, or the master-user secret RDS manages for an application database
    ///   (`MasterUserSecret`) — has a replica in the DR region whose status is `InSync`
    ///   (`InProgress` and `Failed` replicas fail);
    /// - every SSM parameter that a DR Auto Scaling group's launch template version resolves
    ///   its image ID through (`resolve:ssm:`) exists in the DR region.
    ///
    /// Only metadata and replication status are read (DescribeSecret, GetParameters without
    /// decryption): drscan never reads a secret's value.
    ///
    /// ## Why is this bad?
    /// Secrets and parameters are regional. A DR tier whose database credentials, API keys or
    /// AMI parameter exist only in the primary region cannot start when that region is down:
    /// the instances launch and crash-loop, or do not launch at all, while every other check
    /// looks green.
    ///
    /// ## Example
    /// The database password lives in `web/db-credentials` in ap-south-1 with no replica; the
    /// DR launch template resolves `resolve:ssm:/web/golden-ami`, which was only ever created
    /// in ap-south-1.
    ///
    /// ## How to fix
    /// Replicate the secret to the DR region (ReplicateSecretToRegions, or `AddReplicaRegions`
    /// at creation) and watch its `ReplicationStatus`; create the parameters the DR launch
    /// templates name in the DR region, from the same pipeline that copies the AMI.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
    /// - https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicationStatusType.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html
    pub struct DrSecretsMissing {
        name: "dr-secrets-missing",
        code: "DR111",
        severity: Critical,
        group: ComputeAndCapacity,
        summary: "A secret or SSM parameter the DR side needs is missing or not in sync in the DR region",
    }
}

impl Rule for DrSecretsMissing {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        report_listing_gaps(ctx, out, Side::Primary, &[ResourceKind::Secret], "the secrets DR needs");
        report_listing_gaps(
            ctx,
            out,
            Side::Dr,
            &[ResourceKind::AutoScalingGroup],
            "the parameters DR launches resolve",
        );
        self.check_secrets(ctx, out);
        self.check_parameters(ctx, out);
    }
}

impl DrSecretsMissing {
    fn check_secrets(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let (primary, dr) = (&ctx.inventory.primary, ctx.inventory.dr.name);
        let relations = ctx.inventory.relations();
        for members in ctx.inventory.members().by_app.values() {
            for secret in &members.primary_secrets {
                let target = resource::secret(secret, primary.name);
                match relations.secret_copy(secret) {
                    Known::Value(Some(copy)) if copy.in_sync() => out.pass(),
                    Known::Value(Some(copy)) => {
                        let mut message =
                            format!("the {dr} replica of secret {} is {}", secret.name, copy.state());
                        if let Some(why) = copy.status.and_then(|s| s.status_message.as_ref()) {
                            message.push_str(&format!(": {why}"));
                        }
                        out.fail(target, message).with("replica_status", copy.state());
                    }
                    Known::Value(None) => {
                        let regions: Vec<&str> = secret
                            .replication
                            .value()
                            .into_iter()
                            .flatten()
                            .map(|r| r.region.as_str())
                            .collect();
                        let mut message = format!("secret {} has no replica in {dr}", secret.name);
                        if let Some(recovery) = relations.recovery_account_of(&secret.arn) {
                            message.push_str(&format!(
                                ", and recovery account {recovery}, where the DR side runs, holds no secret of that name there"
                            ));
                        }
                        out.fail(target, message)
                            .with("replica_regions", &regions)
                            .with("owning_service", &secret.owning_service);
                    }
                    Known::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot read the replication of secret {}", secret.name),
                        );
                    }
                }
            }
            // A master-user secret RDS names but the secret listing does not show.
            let databases = members
                .primary_db_instances
                .iter()
                .map(|d| (resource::db_instance(d, primary.name), &d.master_user_secret_arn));
            let clusters = members
                .primary_db_clusters
                .iter()
                .map(|c| (resource::db_cluster(c, primary.name), &c.master_user_secret_arn));
            for (database, arn) in databases.chain(clusters) {
                let Some(arn) = arn.as_deref() else { continue };
                if primary.secrets_by_arn.contains_key(arn) {
                    continue;
                }
                let reason = primary.gap(ResourceKind::Secret).cloned().unwrap_or_else(|| {
                    UnknownReason::new(
                        "secretsmanager:ListSecrets",
                        ErrorCause::Unresolvable,
                        format!("RDS names master-user secret {arn}, which the secret listing does not show"),
                    )
                });
                out.unknown(
                    database.clone(),
                    &reason,
                    format!(
                        "cannot tell whether the master-user secret of {} is replicated to {dr}",
                        database.id
                    ),
                );
            }
        }
    }

    fn check_parameters(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let view = &ctx.inventory.dr;
        let mut seen: HashSet<(&str, &str)> = HashSet::new();
        for (app, members) in &ctx.inventory.members().by_app {
            for asg in &members.dr_asgs {
                for reference in asg.launch_template_refs() {
                    let (template, version) = match view.launch_version(reference) {
                        Ok(found) => found,
                        Err(LaunchResolution::Unknown(reason)) => {
                            let message = format!(
                                "cannot read the launch template of DR ASG {} to tell which SSM parameters it resolves",
                                asg.name
                            );
                            out.unknown(resource::asg(asg, view.name), &reason, message);
                            continue;
                        }
                        // A missing template or version is dr-launch-template-ami-missing's to report.
                        Err(_) => continue,
                    };
                    let Some(parameter) = version.ssm_parameter() else { continue };
                    if !seen.insert((template.id.as_str(), parameter)) {
                        continue;
                    }
                    let target = resource::parameter(parameter, view.name, ctx.inventory.account());
                    match view.parameter(parameter) {
                        Known::Value(Some(_)) => out.pass(),
                        Known::Value(None) => {
                            out.fail(
                                target,
                                format!(
                                    "DR launch template {} version {} (ASG {}) resolves its image ID through SSM parameter {parameter}, which does not exist in {}",
                                    template.name, version.version, asg.name, view.name
                                ),
                            )
                            .with("launch_template", &template.id)
                            .with("version", version.version)
                            .app(app);
                        }
                        Known::Unknown(reason) => {
                            out.unknown(
                                target,
                                &reason,
                                format!(
                                    "cannot tell whether SSM parameter {parameter} exists in {}",
                                    view.name
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}
