"""KMS001 kms-multi-region-key: KMS keys must be single-Region.

## What it checks
Terraform `aws_kms_key` and `aws_kms_external_key` whose `multi_region` evaluates to true,
and every `aws_kms_replica_key` and `aws_kms_replica_external_key` (a replica is
multi-Region by definition). CloudFormation and CDK `AWS::KMS::Key` whose `MultiRegion`
evaluates to true, and every `AWS::KMS::ReplicaKey`. Terraform plans are read the same way.
The value is evaluated as Terraform or CloudFormation would (variables, tfvars, module
inputs, locals, parameters, conditions, mappings). A value that cannot be resolved is
reported as `unknown`, never passed. A key that does not set the argument is single-Region
and passes.

## Why it matters
A multi-Region key shares its key material with related keys in other Regions. Whoever can
use a replica in any Region can decrypt data encrypted in every other Region, so the key's
blast radius is the union of all the Regions' key policies and grants. Audits must cover
every replica, data-residency commitments (data that must stay decryptable in one
jurisdiction only) are hard to prove, and a compromise in one Region is a compromise in
all of them.

## Examples
Terraform, fails:

    resource "aws_kms_key" "data" {
      multi_region = true
    }
    resource "aws_kms_replica_key" "dr" {
      primary_key_arn = aws_kms_key.data.arn
    }

Terraform, passes (`multi_region` unset or false):

    resource "aws_kms_key" "data" {
      enable_key_rotation = true
    }

CloudFormation, fails:

    DataKey:
      Type: AWS::KMS::Key
      Properties:
        MultiRegion: true

CDK (TypeScript), fails: `new kms.Key(this, 'Data', { multiRegion: true })`.

## How to fix
Do not just flip the flag on a live key. `multi_region` (`MultiRegion`) cannot change after
a key is created: Terraform and CloudFormation replace the key, which destroys the old one,
and data encrypted under a deleted key is lost for good. Instead:
1. Create a new single-Region key (`multi_region = false` or unset).
2. Point every service and alias at the new key.
3. Re-encrypt the data under the new key (S3 copy-in-place, EBS snapshot copy, RDS
   snapshot restore, `ReEncrypt` for application ciphertexts).
4. Disable the old key, watch CloudTrail for any remaining use, then schedule its deletion
   after the waiting period (7 to 30 days). Replica keys must be deleted before their
   primary key.

## When to suppress
Multi-Region keys are legitimate for disaster recovery across Regions and for global
applications that must decrypt the same ciphertext in several Regions (DynamoDB global
tables with client-side encryption, cross-Region replication of encrypted data). Then
document, in the suppression's reason: the Regions the key is replicated to, who approved
it, and how key policies are kept identical across Regions; and give the suppression an
expiry date so it is reviewed.

## References
- https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
- https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-security.html
- https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_key#multi_region
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html
"""

from __future__ import annotations

from linter.coerce import NotABool, as_bool
from linter.model import Resource, Severity, Status, Step, Unknown, Verdict
from policies.base import Policy, PolicyMeta

# The argument that makes a primary key multi-Region, by resource type.
FLAG_ARGUMENT = {
    "aws_kms_key": "multi_region",
    "aws_kms_external_key": "multi_region",
    "AWS::KMS::Key": "MultiRegion",
}
# Replica keys are multi-Region by definition.
REPLICA_TYPES = frozenset({"aws_kms_replica_key", "aws_kms_replica_external_key", "AWS::KMS::ReplicaKey"})

META = PolicyMeta(
    code="KMS001",
    slug="kms-multi-region-key",
    title="KMS keys must be single-Region",
    severity=Severity.HIGH,
    resource_types=frozenset(FLAG_ARGUMENT) | REPLICA_TYPES,
    help_url="https://github.com/iaclint/iaclint/blob/main/docs/policies/KMS001.md",
)


def check(resource: Resource) -> Verdict:
    name = resource.address
    if resource.type in REPLICA_TYPES:
        return Verdict(
            Status.FAIL,
            f"{name} is a replica of a multi-Region key ({resource.type} is always multi-Region)",
            resource.location,
            (Step(resource.location, f"{resource.type}: a replica key shares its primary's key material"),),
        )
    argument = FLAG_ARGUMENT[resource.type]
    attribute = resource.attribute(argument)
    if attribute is None:
        return Verdict(Status.PASS, f"{name} is single-Region ({argument} not set)")
    try:
        flag = as_bool(attribute.value, resource.source_format)
    except NotABool as exc:
        return Verdict(
            Status.UNKNOWN,
            f"{name}: {argument} has a value the deploying engine rejects as a boolean: {exc}",
            attribute.location,
            attribute.trail,
        )
    if isinstance(flag, Unknown):
        return Verdict(
            Status.UNKNOWN,
            f"{name}: cannot tell whether it is multi-Region: {argument}: {flag.reason}",
            attribute.location,
            attribute.trail + _unknown_step(flag, attribute.trail),
        )
    if flag:
        return Verdict(
            Status.FAIL,
            f"{name} is a multi-Region key ({argument} = true)",
            attribute.location,
            attribute.trail,
        )
    return Verdict(Status.PASS, f"{name} is single-Region ({argument} = {flag!r})")


def _unknown_step(unknown: Unknown, trail: tuple[Step, ...]) -> tuple[Step, ...]:
    """Where the value stopped being known, unless the trail already ends there."""
    if unknown.location is None or any(step.location.line == unknown.location.line
                                       and step.location.path == unknown.location.path for step in trail):
        return ()
    return (Step(unknown.location, unknown.reason),)


POLICY = Policy(meta=META, doc=__doc__ or "", check=check)
