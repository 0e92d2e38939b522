//! The SDK paginators drscan lists with, drained one way: [`all_pages`] takes the paginator of
//! a request and returns every page, turning a pagination token that repeats into an error
//! (see [`super::pages`]) rather than the SDK's quiet stop.

use super::errors::Failure;
use super::pages;
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// The stream of pages a paginator sends: each page, or the SDK error of its call.
pub(crate) type PageStream<Page, Error> = PaginationStream<Result<Page, SdkError<Error, HttpResponse>>>;

/// A paginator of aws-sdk-rust (`client.operation().into_paginator()`). The SDK generates one
/// type per operation, with no trait in common; this is that trait, for the ones drscan uses.
pub(crate) trait SdkPaginator {
    type Page;
    type Error: ProvideErrorMetadata + std::error::Error + 'static;
    /// The page stream, with the SDK's own duplicate-token stop off: [`super::pages`] checks
    /// the tokens itself and fails instead of ending a listing that never advances.
    fn stream(self) -> PageStream<Self::Page, Self::Error>;
}

/// Every page of `paginator`'s listing (`next_token` reads a page's token), or why not.
pub(crate) async fn all_pages<P: SdkPaginator>(
    operation: &'static str,
    paginator: P,
    next_token: impl Fn(&P::Page) -> Option<&str>,
) -> Result<Vec<P::Page>, Failure> {
    pages(operation, paginator.stream(), next_token).await
}

/// `crate::operation_module::Paginator => Output, Error;`, as the SDK crate names them.
macro_rules! sdk_paginators {
    ($($krate:ident::$operation:ident::$paginator:ident => $output:ident, $error:ident;)+) => {$(
        impl SdkPaginator for $krate::operation::$operation::paginator::$paginator {
            type Page = $krate::operation::$operation::$output;
            type Error = $krate::operation::$operation::$error;
            fn stream(self) -> PageStream<Self::Page, Self::Error> {
                self.stop_on_duplicate_token(false).send()
            }
        }
    )+};
}

sdk_paginators! {
    aws_sdk_autoscaling::describe_auto_scaling_groups::DescribeAutoScalingGroupsPaginator => DescribeAutoScalingGroupsOutput, DescribeAutoScalingGroupsError;
    aws_sdk_autoscaling::describe_policies::DescribePoliciesPaginator => DescribePoliciesOutput, DescribePoliciesError;
    aws_sdk_backup::list_backup_plans::ListBackupPlansPaginator => ListBackupPlansOutput, ListBackupPlansError;
    aws_sdk_backup::list_backup_vaults::ListBackupVaultsPaginator => ListBackupVaultsOutput, ListBackupVaultsError;
    aws_sdk_backup::list_copy_jobs::ListCopyJobsPaginator => ListCopyJobsOutput, ListCopyJobsError;
    aws_sdk_backup::list_recovery_points_by_backup_vault::ListRecoveryPointsByBackupVaultPaginator => ListRecoveryPointsByBackupVaultOutput, ListRecoveryPointsByBackupVaultError;
    aws_sdk_backup::list_backup_selections::ListBackupSelectionsPaginator => ListBackupSelectionsOutput, ListBackupSelectionsError;
    aws_sdk_backup::list_restore_jobs::ListRestoreJobsPaginator => ListRestoreJobsOutput, ListRestoreJobsError;
    aws_sdk_cloudwatch::describe_alarms::DescribeAlarmsPaginator => DescribeAlarmsOutput, DescribeAlarmsError;
    aws_sdk_cloudwatch::get_metric_data::GetMetricDataPaginator => GetMetricDataOutput, GetMetricDataError;
    aws_sdk_cloudwatch::list_metrics::ListMetricsPaginator => ListMetricsOutput, ListMetricsError;
    aws_sdk_dynamodb::list_tables::ListTablesPaginator => ListTablesOutput, ListTablesError;
    aws_sdk_ec2::describe_images::DescribeImagesPaginator => DescribeImagesOutput, DescribeImagesError;
    aws_sdk_ec2::describe_launch_templates::DescribeLaunchTemplatesPaginator => DescribeLaunchTemplatesOutput, DescribeLaunchTemplatesError;
    aws_sdk_ec2::describe_subnets::DescribeSubnetsPaginator => DescribeSubnetsOutput, DescribeSubnetsError;
    aws_sdk_ec2::describe_security_groups::DescribeSecurityGroupsPaginator => DescribeSecurityGroupsOutput, DescribeSecurityGroupsError;
    aws_sdk_ec2::describe_launch_template_versions::DescribeLaunchTemplateVersionsPaginator => DescribeLaunchTemplateVersionsOutput, DescribeLaunchTemplateVersionsError;
    aws_sdk_ec2::describe_instance_type_offerings::DescribeInstanceTypeOfferingsPaginator => DescribeInstanceTypeOfferingsOutput, DescribeInstanceTypeOfferingsError;
    aws_sdk_ec2::describe_snapshots::DescribeSnapshotsPaginator => DescribeSnapshotsOutput, DescribeSnapshotsError;
    aws_sdk_efs::describe_file_systems::DescribeFileSystemsPaginator => DescribeFileSystemsOutput, DescribeFileSystemsError;
    aws_sdk_efs::describe_replication_configurations::DescribeReplicationConfigurationsPaginator => DescribeReplicationConfigurationsOutput, DescribeReplicationConfigurationsError;
    aws_sdk_fis::list_experiments::ListExperimentsPaginator => ListExperimentsOutput, ListExperimentsError;
    aws_sdk_elasticloadbalancing::describe_load_balancers::DescribeLoadBalancersPaginator => DescribeLoadBalancersOutput, DescribeLoadBalancersError;
    aws_sdk_elasticloadbalancingv2::describe_load_balancers::DescribeLoadBalancersPaginator => DescribeLoadBalancersOutput, DescribeLoadBalancersError;
    aws_sdk_elasticloadbalancingv2::describe_target_groups::DescribeTargetGroupsPaginator => DescribeTargetGroupsOutput, DescribeTargetGroupsError;
    aws_sdk_elasticloadbalancingv2::describe_listeners::DescribeListenersPaginator => DescribeListenersOutput, DescribeListenersError;
    aws_sdk_elasticloadbalancingv2::describe_listener_certificates::DescribeListenerCertificatesPaginator => DescribeListenerCertificatesOutput, DescribeListenerCertificatesError;
    aws_sdk_organizations::list_accounts::ListAccountsPaginator => ListAccountsOutput, ListAccountsError;
    aws_sdk_organizations::list_accounts_for_parent::ListAccountsForParentPaginator => ListAccountsForParentOutput, ListAccountsForParentError;
    aws_sdk_rds::describe_db_instances::DescribeDbInstancesPaginator => DescribeDbInstancesOutput, DescribeDBInstancesError;
    aws_sdk_rds::describe_db_clusters::DescribeDbClustersPaginator => DescribeDbClustersOutput, DescribeDBClustersError;
    aws_sdk_rds::describe_global_clusters::DescribeGlobalClustersPaginator => DescribeGlobalClustersOutput, DescribeGlobalClustersError;
    aws_sdk_rds::describe_db_instance_automated_backups::DescribeDbInstanceAutomatedBackupsPaginator => DescribeDbInstanceAutomatedBackupsOutput, DescribeDBInstanceAutomatedBackupsError;
    aws_sdk_route53::list_hosted_zones::ListHostedZonesPaginator => ListHostedZonesOutput, ListHostedZonesError;
    aws_sdk_route53::list_health_checks::ListHealthChecksPaginator => ListHealthChecksOutput, ListHealthChecksError;
    aws_sdk_s3::list_buckets::ListBucketsPaginator => ListBucketsOutput, ListBucketsError;
    aws_sdk_secretsmanager::list_secrets::ListSecretsPaginator => ListSecretsOutput, ListSecretsError;
    aws_sdk_sns::list_subscriptions::ListSubscriptionsPaginator => ListSubscriptionsOutput, ListSubscriptionsError;
}
