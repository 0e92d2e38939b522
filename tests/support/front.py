"""Test-only front between drscan and moto server.

* Maps the SigV4 access key to a moto account: an access key ending in 12 digits is sent on with
  `x-moto-account-id: <digits>`, so scenarios stay isolated without test-only flags in drscan.
* Answers Smithy RPC v2 CBOR CloudWatch requests (which moto does not route) by calling moto
  through boto3, and encodes the answer back in CBOR.
* Injects faults chosen by the region of the SigV4 credential scope, the service, and the
  operation (or a path regex for REST services): an HTTP error with an AWS error code, a
  dropped connection, a delayed answer, or a recorded response body (for APIs moto lacks). Rules are set with `POST /_front/faults` (a JSON list, replacing the rules of the
  accounts it names) and all cleared with `DELETE /_front/faults`; `GET /_front/log` returns every request seen as JSON lines.

Usage: python front.py MOTO_URL PORT  (serves on 127.0.0.1:PORT until killed).
"""

import datetime
import http.client
import json
import re
import socket
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
CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")


def request_facts(handler, body):
    auth = handler.headers.get("Authorization", "")
    match = CREDENTIAL.search(auth)
    access_key, region, service = match.groups() if match else ("", "", "")
    operation = ""
    target = handler.headers.get("X-Amz-Target")
    path = urllib.parse.urlparse(handler.path).path
    if handler.headers.get("smithy-protocol") == "rpc-v2-cbor":
        operation = path.rsplit("/", 1)[-1]
    elif target:
        operation = target.rsplit(".", 1)[-1]
    elif body[:200].find(b"Action=") >= 0:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        operation = form.get("Action", [""])[0]
    account = access_key[-12:] if len(access_key) >= 12 and access_key[-12:].isdigit() else None
    return {
        "access_key": access_key,
        "region": region,
        "service": service,
        "operation": operation,
        "method": handler.command,
        "path": path,
        "account": account,
    }


def matching_fault(facts):
    with LOCK:
        for rule in FAULTS:
            if rule.get("remaining", -1) == 0:
                continue
            if any(rule.get(k) not in (None, facts[k]) for k in ("region", "service", "operation", "account")):
                continue
            if rule.get("path_regex") and not re.search(rule["path_regex"], facts["path"]):
                continue
            if rule.get("method") and rule["method"] != facts["method"]:
                continue
            if rule.get("remaining", -1) > 0:
                rule["remaining"] -= 1
            return dict(rule)
    return None


def error_body(facts, is_cbor, code, message):
    service = facts["service"]
    if is_cbor:
        return "application/cbor", {"smithy-protocol": "rpc-v2-cbor"}, cbor2.dumps({"__type": code, "message": message})
    if service == "ec2":
        xml = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>front</RequestID></Response>"
        return "text/xml", {}, xml.encode()
    if service in ("elasticfilesystem", "backup") or facts["operation"] == "" and service != "route53":
        return "application/json", {"x-amzn-ErrorType": code}, json.dumps({"__type": code, "message": message}).encode()
    if facts["operation"] and service in ("kms", "acm", "ssm"):
        return "application/x-amz-json-1.1", {}, json.dumps({"__type": code, "message": message}).encode()
    xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>front</RequestId></ErrorResponse>"
    return "text/xml", {}, xml.encode()


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
        fault = matching_fault(facts)
        if fault:
            if fault.get("action") == "respond":
                # A recorded response, for what moto does not implement.
                payload = fault.get("body", "").encode()
                return self.reply(int(fault.get("status", 200)), fault.get("content_type", "application/json"), {}, payload)
            if fault.get("action") == "delay":
                # A slow endpoint: answer, but late.
                time.sleep(float(fault.get("seconds", 5)))
                return self.forward(facts, body)
            if fault.get("action") == "drop":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            content_type, headers, payload = error_body(
                facts, is_cbor, fault.get("code", "InternalFailure"), fault.get("message", "injected by the test front")
            )
            return self.reply(int(fault.get("status", 500)), content_type, headers, payload)
        if is_cbor:
            return self.cloudwatch_cbor(facts, body)
        self.forward(facts, body)

    def control(self, body):
        global FAULTS
        if self.command == "POST" and self.path == "/_front/faults":
            rules = json.loads(body or b"[]")
            for rule in rules:
                rule["remaining"] = rule.get("times", -1)
            # Rules replace only those of the accounts they name, so scenarios can run at once.
            accounts = {rule.get("account") for rule in rules}
            with LOCK:
                FAULTS = [rule for rule in FAULTS if rule.get("account") not in accounts] + rules
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
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        if facts["account"]:
            headers["x-moto-account-id"] = facts["account"]
        connection = http.client.HTTPConnection(MOTO.hostname, MOTO.port, timeout=60)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            passed = {k: v for k, v in response.getheaders() if k.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date")}
            self.reply(response.status, passed.pop("Content-Type", passed.pop("content-type", "text/xml")), passed, payload)
        finally:
            connection.close()

    def cloudwatch_cbor(self, facts, body):
        params = cbor2.loads(body) if body else {}
        client = cloudwatch_client(facts["region"], facts["account"])
        headers = {"smithy-protocol": "rpc-v2-cbor"}
        try:
            result = client._make_api_call(facts["operation"], params or {})
            result.pop("ResponseMetadata", None)
            payload = cbor2.dumps(to_smithy_cbor(result))
            self.reply(200, "application/cbor", headers, payload)
        except botocore.exceptions.ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
            code = error.response.get("Error", {}).get("Code", "InternalFailure")
            message = error.response.get("Error", {}).get("Message", "")
            self.reply(status, "application/cbor", headers, cbor2.dumps({"__type": code, "message": message}))
        except Exception as error:  # noqa: BLE001 - any failure becomes a CBOR 500
            self.reply(500, "application/cbor", headers, cbor2.dumps({"__type": "InternalFailure", "message": str(error)}))

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
