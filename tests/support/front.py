"""Test-only front between drscan and moto server.

* Maps the SigV4 access key to a moto account: an access key ending in 12 digits is sent on with
  `x-moto-account-id: <digits>`, so scenarios stay isolated without test-only flags in drscan.
* Answers Smithy RPC v2 CBOR CloudWatch requests (which moto does not route) by calling moto
  through boto3, and encodes the answer back in CBOR; renames what moto names differently from
  AWS where the Rust SDK rejects it (see `as_aws_answers`).
* Maps the temporary access key of an assumed role to the role's account, as moto does (the
  account of a `sts:AssumeRole` answer is the one its role ARN names), so that the fault, cache
  and rate-limit rules of an account also apply to the roles drscan assumes in it.
* Injects faults chosen by the region of the SigV4 credential scope, the service, the
  operation (REST services' operations are named from botocore's models, as for the other
  protocols; a path regex, or for JSON services a body regex, narrows further) and optionally the exact access key: an HTTP error
  with an AWS error code, a bare HTTP error page without one, the protocol's own throttling
  answer, a dropped or reset connection, a delayed answer, moto's real answer cut short or
  replaced by an HTML page under `200 OK`, or a recorded response body (for APIs moto lacks).
* Answers Service Quotas for EC2 (moto's servicequotas knows only `vpc`): GetServiceQuota and
  GetAWSDefaultServiceQuota of the vCPU quotas, shaped as the API reference's `ServiceQuota`
  (with the `UsageMetric` that names the `AWS/Usage` series), from `EC2_VCPU_QUOTAS`.
  Rules are set with `POST /_front/faults` (a JSON list, replacing the rules of the (account,
  access key) pairs it names) and all cleared with `DELETE /_front/faults`; `GET /_front/log`
  returns every request seen as JSON lines.
* Caches moto's `200` answers for the accounts that ask for it with `POST /_front/cache
  {"account": ...}`: the same request (region, operation, path, body) of such an account gets the same
  answer without asking moto again. For a seeded account that many read-only runs audit (the
  fault matrix), so that moto's Python is not the bottleneck; faults still apply first.
* Enforces AWS's documented API rate limits (moto has none) for the accounts that ask for it
  with `POST /_front/limits {"account": ..., "enabled": true}`: token buckets scoped as AWS
  scopes them (per account; per region except Route 53; per API where AWS meters per API), and
  an over-limit request gets that protocol's own throttling error (see `throttling_error`).
  `"override": {"burst": B, "per_second": R}` shrinks every bucket of the account, for tests of
  the error shapes. The table is written from AWS's throttling pages, not from drscan's own, so
  that the tests compare drscan with AWS's numbers rather than with itself.

Usage: python front.py MOTO_URL PORT  (serves on 127.0.0.1:PORT until killed).
"""

import datetime
import http.client
import json
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.config
import botocore.exceptions
import cbor2

MOTO = urllib.parse.urlparse(sys.argv[1])
LOCK = threading.Lock()
FAULTS = []
LOG = []
# Accounts whose requests are rate limited, with an optional bucket override each.
LIMITED = {}
# (account, region or "global", bucket name) -> [tokens, last refill time]
BUCKETS = {}
CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")
# Accounts whose 200 answers are cached, and the cache: (account, region, service, operation,
# method, path, body) -> answer.
CACHED_ACCOUNTS = set()
CACHE = {}
# Temporary access keys of assumed roles -> the role's account.
ASSUMED = {}
ACCESS_KEY_ID = re.compile(r"<AccessKeyId>([^<]+)</AccessKeyId>")


def rest_operations():
    """(SigV4 signing name) -> [(method, path regex, query keys, literal characters, operation)]
    for the REST protocols drscan reads, from botocore's service models: the operation of a REST
    request follows from its method, path and (S3's subresources: `?versioning`) query keys, as
    the query and JSON protocols name it in the request."""
    import botocore.session

    session = botocore.session.get_session()
    table = {}
    for name in ("route53", "efs", "backup", "s3", "fis"):
        model = session.get_service_model(name)
        signing = model.signing_name or model.endpoint_prefix
        for operation in model.operation_names:
            http = model.operation_model(operation).http
            uri, _, query = http.get("requestUri", "/").partition("?")
            uri = uri.rstrip("/")
            keys = frozenset(piece.split("=", 1)[0] for piece in query.split("&") if piece and not piece.startswith("x-id"))
            pattern = "".join(
                "[^/]+" if piece.startswith("{") and not piece.endswith("+}") else ".+" if piece.startswith("{") else re.escape(piece)
                for piece in re.split(r"(\{[^}]+\})", uri)
            )
            literal = len(re.sub(r"\{[^}]+\}", "", uri))
            table.setdefault(signing, []).append((http.get("method", "GET"), re.compile("^" + pattern + "/?$"), keys, literal, operation))
    for routes in table.values():
        # The most specific route first: more required query keys, then more literal path.
        routes.sort(key=lambda route: (-len(route[2]), -route[3]))
    return table


REST_OPERATIONS = rest_operations()


def rest_operation(service, method, path, query=""):
    present = {piece.split("=", 1)[0] for piece in query.split("&") if piece}
    for route_method, pattern, keys, _, operation in REST_OPERATIONS.get(service, []):
        if route_method == method and pattern.match(path) and keys <= present:
            return operation
    return ""


def request_facts(handler, body):
    auth = handler.headers.get("Authorization", "")
    match = CREDENTIAL.search(auth)
    access_key, region, service = match.groups() if match else ("", "", "")
    operation = ""
    version = ""
    target = handler.headers.get("X-Amz-Target")
    parsed = urllib.parse.urlparse(handler.path)
    path = parsed.path
    if handler.headers.get("smithy-protocol") == "rpc-v2-cbor":
        operation = path.rsplit("/", 1)[-1]
    elif target:
        operation = target.rsplit(".", 1)[-1]
    elif body[:200].find(b"Action=") >= 0:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        operation = form.get("Action", [""])[0]
        # Query APIs name their version: ELB's 2012-06-01 (Classic) and 2015-12-01 (v2) share
        # the service name.
        version = form.get("Version", [""])[0]
    else:
        operation = rest_operation(service, handler.command, path, parsed.query)
    account = access_key[-12:] if len(access_key) >= 12 and access_key[-12:].isdigit() else None
    if account is None:
        with LOCK:
            account = ASSUMED.get(access_key)
    return {
        "access_key": access_key,
        "region": region,
        "service": service,
        "operation": operation,
        "version": version,
        "method": handler.command,
        "path": path,
        "account": account,
        "time": time.monotonic(),
        "body": body[:4000].decode("utf-8", "replace") if service == "sts" else "",
    }


def remember_assumed_role(body, payload):
    """Note the account of an assumed role's temporary access key: the role ARN's."""
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    role_arn = form.get("RoleArn", [""])[0]
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    key = ACCESS_KEY_ID.search(payload.decode("utf-8", "replace"))
    if key and len(account) == 12 and account.isdigit():
        with LOCK:
            ASSUMED[key.group(1)] = account


def matching_faults(facts, body=b""):
    """The rules that match a request, those scoped to its exact access key first; the first is
    the one to apply, and an answer it alters (cut short, replaced, delayed) is that of the
    next one that answers (a recorded response) or moto's. `body_regex` narrows a rule to
    requests whose body matches (e.g. the RoleArn of one sts:AssumeRole)."""
    with LOCK:
        matches = []
        for rule in FAULTS:
            if rule.get("remaining", -1) == 0:
                continue
            if any(rule.get(k) not in (None, facts[k]) for k in ("region", "service", "operation", "version", "account", "access_key")):
                continue
            if rule.get("path_regex") and not re.search(rule["path_regex"], facts["path"]):
                continue
            # JSON-protocol requests name their resource in the body (DynamoDB's TableName).
            if rule.get("body_regex") and not re.search(rule["body_regex"], body.decode("utf-8", "replace")):
                continue
            if rule.get("method") and rule["method"] != facts["method"]:
                continue
            # A query-protocol request's parameters, e.g. `IncludeDeprecated=true`.
            if rule.get("body_regex") and not re.search(rule["body_regex"], body.decode("utf-8", "replace")):
                continue
            matches.append(rule)
        matches.sort(key=lambda rule: rule.get("access_key") is None)
        return matches


def use(rule):
    with LOCK:
        if rule.get("remaining", -1) > 0:
            rule["remaining"] -= 1
    return dict(rule)


# The seven EC2 APIs whose unfiltered and unpaginated calls draw on a smaller bucket.
EC2_SMALL = {
    "DescribeInstances", "DescribeInstanceStatus", "DescribeNetworkInterfaces", "DescribeSecurityGroups",
    "DescribeSnapshots", "DescribeSpotInstanceRequests", "DescribeVolumes",
}


def buckets_for(facts, form, body):
    """The buckets AWS meters this request by: [(scope region, name, burst, per second)]."""
    service, operation, region = facts["service"], facts["operation"], facts["region"]
    if service == "route53":
        # https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/throttling-api-requests.html
        # Each operation has a bucket of its own; a request botocore's model does not name
        # (none of drscan's) shares one for its method and path.
        operation = operation or facts["method"] + " " + facts["path"]
        own = (4, 1) if operation in ("GetHealthCheckStatus", "GetHealthCheckLastFailureReason") else (50, 10)
        return [("global", "route53 all", 50, 10), ("global", "route53 " + operation, *own)]
    if service == "elasticloadbalancing":
        # https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html
        # Each API version (2015-12-01: ALB/NLB; 2012-06-01: Classic) has its own buckets.
        version = "classic" if facts["version"] == "2012-06-01" else "v2"
        if operation.startswith("Describe"):
            return [(region, f"elb {version} describe", 40, 10)]
        return [(region, f"elb {version} mutating", 20, 3)]
    if service == "ec2":
        # https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
        filtered = any(k.startswith("Filter.") or k in ("MaxResults", "NextToken") for k in form)
        if operation in EC2_SMALL and not filtered:
            return [(region, "ec2 " + operation, 50, 10)]
        if operation.startswith(("Describe", "List", "Get", "Search")):
            return [(region, "ec2 " + operation, 100, 20)]
        return [(region, "ec2 " + operation, 50, 5)]
    if service == "rds":
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html
        return [(region, "rds", 300, 12)]
    if service == "monitoring":
        # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
        tps = {"GetMetricData": 50, "DescribeAlarms": 9, "DescribeAlarmsForMetric": 9, "ListMetrics": 25,
               "GetMetricStatistics": 400}.get(operation, 3)
        return [(region, "cloudwatch " + operation, tps, tps)]
    if service == "acm":
        # https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html
        tps = 10 if operation in ("DescribeCertificate", "ListTagsForCertificate") else 5
        return [(region, "acm " + operation, tps, tps)]
    if service == "kms":
        # https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
        tps = 2000 if operation == "DescribeKey" else 100
        return [(region, "kms " + operation, tps, tps)]
    if service == "ssm" and operation in ("GetParameter", "GetParameters", "GetParametersByPath"):
        # https://docs.aws.amazon.com/general/latest/gr/ssm.html
        return [(region, "ssm parameters", 40, 40)]
    if service == "sns" and operation.startswith("ListSubscriptions"):
        # https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptions.html ("throttled at 30 TPS")
        return [(region, "sns " + operation, 30, 30)]
    if service == "secretsmanager":
        # https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html
        tps = 40000 if operation == "DescribeSecret" else 100
        return [(region, "secretsmanager " + operation, tps, tps)]
    if service == "dynamodb":
        # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-control-plane.html
        return [(region, "dynamodb control plane", 2500, 2500)]
    if service == "servicequotas":
        # https://docs.aws.amazon.com/servicequotas/latest/userguide/reference_limits.html
        # (GetServiceQuota 5 per second; GetAWSDefaultServiceQuota is not listed: the same)
        return [(region, "servicequotas " + operation, 5, 5)]
    if service == "s3":
        # Unpublished for bucket-configuration APIs (object rates are per prefix): a stand-in.
        return [(region, "s3 buckets", 20, 10)]
    if service == "autoscaling":
        # Unpublished ("a shared API bucket"): a stand-in of half ELB's.
        return [(region, "autoscaling", 20, 5)]
    # Unpublished (STS, EFS, Backup, FIS, other SSM APIs): the same stand-in.
    return [(region, service + " " + (operation if service == "sts" else "all"), 10, 5)]


def over_limit(facts, body):
    """Take a token from every bucket of the request; False when one is empty (then none is taken)."""
    with LOCK:
        settings = LIMITED.get(facts["account"])
    if settings is None:
        return False
    form = {}
    if facts["service"] == "ec2" and body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    override = settings.get("override")
    now = time.monotonic()
    with LOCK:
        states = []
        for region, name, burst, rate in buckets_for(facts, form, body):
            if override:
                burst, rate = override["burst"], override["per_second"]
            key = (facts["account"], region, name)
            tokens, last = BUCKETS.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            states.append((key, tokens))
        if any(tokens < 1 for _, tokens in states):
            for key, tokens in states:
                BUCKETS[key] = (tokens, now)
            return True
        for key, tokens in states:
            BUCKETS[key] = (tokens - 1, now)
    return False


def throttling_error(facts, is_cbor):
    """Each protocol's own throttling answer, as AWS sends it."""
    service = facts["service"]
    if is_cbor:
        # Smithy RPC v2 CBOR (CloudWatch): `__type` in the body; CloudWatch is query-compatible,
        # so the query code comes in x-amzn-query-error and overrides it.
        headers = {"smithy-protocol": "rpc-v2-cbor", "x-amzn-query-error": "Throttling;Sender"}
        body = cbor2.dumps({"__type": "com.amazon.coral.availability#ThrottlingException", "message": "Rate exceeded"})
        return 400, "application/cbor", headers, body
    if service == "ec2":
        xml = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>front-throttle</RequestID></Response>"
        return 503, "text/xml", {}, xml.encode()
    if service in ("kms", "acm", "ssm", "secretsmanager"):
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        return 400, "application/x-amz-json-1.1", {"x-amzn-ErrorType": "ThrottlingException"}, body
    if service == "servicequotas":
        body = json.dumps({"__type": "TooManyRequestsException", "Message": "Rate exceeded"}).encode()
        return 400, "application/x-amz-json-1.1", {}, body
    if service == "dynamodb":
        body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "Rate exceeded"}).encode()
        return 400, "application/x-amz-json-1.0", {}, body
    if service == "s3":
        xml = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>front-throttle</RequestId></Error>"
        return 503, "application/xml", {}, xml.encode()
    if service == "elasticfilesystem":
        body = json.dumps({"ErrorCode": "ThrottlingException", "Message": "Rate exceeded"}).encode()
        return 429, "application/json", {"x-amzn-ErrorType": "ThrottlingException"}, body
    if service == "backup":
        body = json.dumps({"Code": "ThrottlingException", "Message": "Rate exceeded"}).encode()
        return 400, "application/json", {"x-amzn-ErrorType": "ThrottlingException"}, body
    if service == "fis":
        # rest-json; FIS models no throttling error, and AWS's front door answers 429.
        body = json.dumps({"message": "Rate exceeded"}).encode()
        return 429, "application/json", {"x-amzn-ErrorType": "ThrottlingException"}, body
    namespace = ' xmlns="https://route53.amazonaws.com/doc/2013-04-01/"' if service == "route53" else ""
    xml = f"<ErrorResponse{namespace}><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>front-throttle</RequestId></ErrorResponse>"
    return 400, "text/xml", {}, xml.encode()


def error_body(facts, is_cbor, code, message):
    service = facts["service"]
    if is_cbor:
        return "application/cbor", {"smithy-protocol": "rpc-v2-cbor"}, cbor2.dumps({"__type": code, "message": message})
    if service == "ec2":
        xml = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>front</RequestID></Response>"
        return "text/xml", {}, xml.encode()
    if service in ("elasticfilesystem", "backup", "fis") or facts["operation"] == "" and service != "route53":
        return "application/json", {"x-amzn-ErrorType": code}, json.dumps({"__type": code, "message": message}).encode()
    if facts["operation"] and service in ("kms", "acm", "ssm", "secretsmanager", "servicequotas"):
        return "application/x-amz-json-1.1", {}, json.dumps({"__type": code, "message": message}).encode()
    if facts["operation"] and service == "dynamodb":
        return "application/x-amz-json-1.0", {}, json.dumps({"__type": code, "message": message}).encode()
    if service == "s3":
        xml = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>front</RequestId></Error>"
        return "application/xml", {}, xml.encode()
    xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>front</RequestId></ErrorResponse>"
    return "text/xml", {}, xml.encode()


def as_aws_answers(facts, raw_path, payload):
    """moto's answers where their shape differs from AWS's in a way the Rust SDK rejects.

    GetBucketVersioning: moto names the root element `GetBucketVersioningResponse`; AWS (and the
    API reference's example) name it `VersioningConfiguration`, and the SDK checks the root.
    """
    query = urllib.parse.urlparse(raw_path).query
    if facts["service"] == "s3" and facts["method"] == "GET" and "versioning" in query.split("&"):
        payload = payload.replace(b"GetBucketVersioningResponse", b"VersioningConfiguration")
    return payload


# EC2's vCPU quotas: code -> (name, usage class, value). The values are those of an established
# account (new accounts start lower); tests that need a small quota record their own answer.
EC2_VCPU_QUOTAS = {
    "L-1216C47A": ("Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", "Standard/OnDemand", 1152.0),
    "L-34B43A08": ("All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", "Standard/Spot", 640.0),
    "L-DB2E81BA": ("Running On-Demand G and VT instances", "G/OnDemand", 64.0),
    "L-3819A6DF": ("All G and VT Spot Instance Requests", "G/Spot", 64.0),
    "L-417A185B": ("Running On-Demand P instances", "P/OnDemand", 64.0),
    "L-7212CCBC": ("All P Spot Instance Requests", "P/Spot", 64.0),
}


def ec2_quota(region, account, code, value=None):
    """One EC2 vCPU quota as GetServiceQuota and GetAWSDefaultServiceQuota answer it."""
    name, usage_class, default = EC2_VCPU_QUOTAS[code]
    return {"Quota": {
        "ServiceCode": "ec2", "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
        "QuotaArn": f"arn:aws:servicequotas:{region}:{account}:ec2/{code}", "QuotaCode": code,
        "QuotaName": name, "Value": default if value is None else value, "Unit": "None",
        "Adjustable": True, "GlobalQuota": False,
        "UsageMetric": {
            "MetricNamespace": "AWS/Usage", "MetricName": "ResourceCount",
            "MetricDimensions": {"Class": usage_class, "Resource": "vCPU", "Service": "EC2", "Type": "Resource"},
            "MetricStatisticRecommendation": "Maximum",
        },
        "QuotaAppliedAtLevel": "ACCOUNT",
    }}


def ec2_quota_answer(facts, body):
    """The answer to a Service Quotas call for an EC2 vCPU quota, which moto cannot give."""
    if facts["service"] != "servicequotas" or facts["operation"] not in ("GetServiceQuota", "GetAWSDefaultServiceQuota"):
        return None
    request = json.loads(body or b"{}")
    if request.get("ServiceCode") != "ec2":
        return None
    code = request.get("QuotaCode", "")
    if code not in EC2_VCPU_QUOTAS:
        payload = json.dumps({"__type": "NoSuchResourceException", "Message": f"The request failed because the specified service quota {code} does not exist."})
        return 400, "application/x-amz-json-1.1", {}, payload.encode()
    payload = json.dumps(ec2_quota(facts["region"], facts["account"] or "123456789012", code)).encode()
    return 200, "application/x-amz-json-1.1", {}, payload


def cloudwatch_client(region, account):
    client = boto3.client(
        "cloudwatch",
        region_name=region or "us-east-1",
        endpoint_url=MOTO.geturl(),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )
    if account:
        client.meta.events.register(
            "before-sign.cloudwatch.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
        )
    return client


def to_smithy_cbor(value, key=None):
    """botocore's output as Smithy RPC v2 CBOR wants it: timestamps as tag 1 over a float, and
    doubles (metric values) as floats even when they are whole numbers."""
    if isinstance(value, datetime.datetime):
        return cbor2.CBORTag(1, float(value.timestamp()))
    if isinstance(value, dict):
        return {k: to_smithy_cbor(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [to_smithy_cbor(v, key) for v in value]
    if key in DOUBLE_MEMBERS and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


DOUBLE_MEMBERS = {"Values", "Value", "Threshold", "Sum", "Minimum", "Maximum", "Average", "SampleCount"}


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/_front/"):
            return self.control(body)
        facts = request_facts(self, body)
        with LOCK:
            LOG.append(facts)
        is_cbor = self.headers.get("smithy-protocol") == "rpc-v2-cbor"
        faults = matching_faults(facts, body)
        if faults:
            with LOCK:
                facts["fault"] = faults[0].get("action", "error")
            return self.inject(faults, facts, body, is_cbor)
        if over_limit(facts, body):
            status, content_type, headers, payload = throttling_error(facts, is_cbor)
            with LOCK:
                facts["throttled"] = True
                facts["status"] = status
            return self.reply(status, content_type, headers, payload)
        self.forward(facts, body)

    def answer(self, faults, facts, body):
        """What the request would get without the first of `faults`: the next rule's recorded
        response, or moto's answer."""
        for rule in faults[1:]:
            if rule.get("action") == "respond":
                use(rule)
                payload = rule.get("body", "").encode()
                return int(rule.get("status", 200)), rule.get("content_type", "application/json"), {}, payload
        return self.moto_answer(facts, body)

    def inject(self, faults, facts, body, is_cbor):
        fault = use(faults[0])
        action = fault.get("action", "error")
        if action == "respond":
            # A recorded response, for what moto does not implement.
            payload = fault.get("body", "").encode()
            return self.reply(int(fault.get("status", 200)), fault.get("content_type", "application/json"), {}, payload)
        if action == "delay":
            # A slow endpoint: answer, but late.
            time.sleep(float(fault.get("seconds", 5)))
            return self.reply(*self.answer(faults, facts, body))
        if action == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if action == "reset":
            # A connection reset by the peer: close with a zero linger time, which sends RST.
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            except OSError:
                pass
            return
        if action == "throttle":
            status, content_type, headers, payload = throttling_error(facts, is_cbor)
            return self.reply(status, content_type, headers, payload)
        if action == "bare":
            # An error page from something between the client and AWS: no AWS error code.
            status = int(fault.get("status", 500))
            page = f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>"
            return self.reply(status, "text/html", {}, page.encode())
        if action in ("truncate", "garbage"):
            # moto's real answer under 200 OK, cut in half (a connection closed early behind a
            # proxy that already sent its headers) or replaced by an HTML page (a captive portal
            # or proxy); the content type stays the service's own.
            status, content_type, headers, payload = self.answer(faults, facts, body)
            if action == "truncate":
                payload = payload[: len(payload) // 2]
            else:
                payload = b"<html><head><title>Welcome</title></head><body><p>Sign in to continue.</p></body></html>"
            return self.reply(200, content_type, headers, payload)
        content_type, headers, payload = error_body(
            facts, is_cbor, fault.get("code", "InternalFailure"), fault.get("message", "injected by the test front")
        )
        return self.reply(int(fault.get("status", 500)), content_type, headers, payload)

    def control(self, body):
        global FAULTS
        if self.command == "POST" and self.path == "/_front/faults":
            rules = json.loads(body or b"[]")
            for rule in rules:
                rule["remaining"] = rule.get("times", -1)
            # Rules replace only those of the (account, access key) pairs they name, so
            # scenarios can run at once.
            owners = {(rule.get("account"), rule.get("access_key")) for rule in rules}
            with LOCK:
                FAULTS = [rule for rule in FAULTS if (rule.get("account"), rule.get("access_key")) not in owners] + rules
            return self.reply(200, "application/json", {}, b"{}")
        if self.command == "POST" and self.path == "/_front/limits":
            settings = json.loads(body or b"{}")
            with LOCK:
                if settings.get("enabled", True):
                    LIMITED[settings["account"]] = settings
                else:
                    LIMITED.pop(settings["account"], None)
                for key in [k for k in BUCKETS if k[0] == settings["account"]]:
                    del BUCKETS[key]
            return self.reply(200, "application/json", {}, b"{}")
        if self.command == "POST" and self.path == "/_front/cache":
            settings = json.loads(body or b"{}")
            with LOCK:
                if settings.get("enabled", True):
                    CACHED_ACCOUNTS.add(settings["account"])
                else:
                    CACHED_ACCOUNTS.discard(settings["account"])
            return self.reply(200, "application/json", {}, b"{}")
        if self.command == "DELETE" and self.path == "/_front/faults":
            with LOCK:
                FAULTS = []
            return self.reply(200, "application/json", {}, b"{}")
        if self.command == "GET" and self.path == "/_front/log":
            with LOCK:
                payload = "\n".join(json.dumps(entry) for entry in LOG).encode()
            return self.reply(200, "application/json", {}, payload)
        if self.command == "DELETE" and self.path == "/_front/log":
            with LOCK:
                LOG.clear()
            return self.reply(200, "application/json", {}, b"{}")
        return self.reply(404, "text/plain", {}, b"unknown control path")

    def forward(self, facts, body):
        self.reply(*self.moto_answer(facts, body))

    def moto_answer(self, facts, body):
        """(status, content type, headers, payload) of moto's answer (CloudWatch's CBOR included),
        from the cache where the account has one."""
        key = (facts["account"], facts["region"], facts["service"], facts["operation"], self.command, self.path, body)
        with LOCK:
            cached = CACHE.get(key) if facts["account"] in CACHED_ACCOUNTS else None
        if cached:
            return cached
        recorded = ec2_quota_answer(facts, body)
        if recorded:
            answer = recorded
        elif self.headers.get("smithy-protocol") == "rpc-v2-cbor":
            answer = self.cloudwatch_cbor(facts, body)
        else:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
            if facts["account"]:
                headers["x-moto-account-id"] = facts["account"]
            connection = http.client.HTTPConnection(MOTO.hostname, MOTO.port, timeout=60)
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                payload = as_aws_answers(facts, self.path, response.read())
                passed = {k: v for k, v in response.getheaders() if k.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date")}
                content_type = passed.pop("Content-Type", passed.pop("content-type", "text/xml"))
                answer = (response.status, content_type, passed, payload)
            finally:
                connection.close()
        if answer[0] == 200 and facts["account"] in CACHED_ACCOUNTS:
            with LOCK:
                CACHE[key] = answer
        if answer[0] == 200 and facts["service"] == "sts" and facts["operation"] == "AssumeRole":
            remember_assumed_role(body, answer[3])
        return answer

    def cloudwatch_cbor(self, facts, body):
        """moto's answer to a CBOR CloudWatch request, through boto3, encoded back in CBOR."""
        params = cbor2.loads(body) if body else {}
        client = cloudwatch_client(facts["region"], facts["account"])
        headers = {"smithy-protocol": "rpc-v2-cbor"}
        try:
            result = client._make_api_call(facts["operation"], params or {})
            result.pop("ResponseMetadata", None)
            return 200, "application/cbor", headers, cbor2.dumps(to_smithy_cbor(result))
        except botocore.exceptions.ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
            code = error.response.get("Error", {}).get("Code", "InternalFailure")
            message = error.response.get("Error", {}).get("Message", "")
            return status, "application/cbor", headers, cbor2.dumps({"__type": code, "message": message})
        except Exception as error:  # noqa: BLE001 - any failure becomes a CBOR 500
            return 500, "application/cbor", headers, cbor2.dumps({"__type": "InternalFailure", "message": str(error)})

    def reply(self, status, content_type, headers, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


def main():
    # drscan opens dozens of connections at once; the default backlog of 5 drops SYNs and
    # adds a 1 s retransmit to every call beyond it.
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Front)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
