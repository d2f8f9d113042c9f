"""Every recorded exchange with the fake Connect, held to Posit's published OpenAPI document.

fake-connect writes each exchange it serves to FAKE_CONNECT_EXCHANGES (a directory of JSON-lines
files, see fake-connect/src/exchanges.rs) when that variable is set: scripts/test.sh sets it for
`cargo test` (so the end-to-end suite records what the provider sends) and for
scripts/contract-test.sh (so posit-sdk's traffic is recorded too). This test reads them all and,
with openapi-core (pinned in scripts/setup-python-tests.sh):

- checks every request (path, method, parameters, key, body) against the document: the
  provider's requests must be ones a real Connect documents;
- checks every answer (status, media type, body) against the operation's responses, and an
  error's code against APIErrorCode: the fake must answer only what a real Connect may, so the
  provider is never tested against answers no server gives;
- checks what the schema cannot say but the document's text does: a config value sent in an
  integration create or update is a string or a boolean, never null;
- fails when there is nothing to check, or when the traffic missed an operation the provider
  depends on (see REQUIRED).

The document (tests/contract/openapi/, SOURCE.md says where it comes from) is followed as
published, except where an exemption below names what it leaves unchecked and why; an
exemption applies to one kind of exchange and one check, never to everything.
"""

from __future__ import annotations

import copy
import json
import os
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

DOCUMENT = Path(__file__).parent / "openapi" / "connect-openapi.json"
EXCHANGES_ENV = "FAKE_CONNECT_EXCHANGES"
# How much of REQUIRED the traffic must cover: `full` (the default), `posit-sdk` (set by
# scripts/contract-test.sh when run by itself, so the directory holds posit-sdk's traffic alone:
# what its tests drive) or `none` (the same, with only some of posit-sdk's tests run).
COVERAGE_ENV = "CONTRACT_COVERAGE"
PREFIX = "/__api__"
HOST = "http://fake-connect"

# The operations the recorded traffic must have exercised with a successful answer, by the
# document's path templates (REQUIRED): what the provider calls (and posit-sdk, for the
# associations). The provider reads the templates list (once per process); no client under test
# reads one template. NOT_DRIVEN_BY_POSIT_SDK is what only the provider calls (posit-sdk's tests
# drive none of it): the templates list, the key's user, the verify action, the user and group
# data sources and the content resources. (PUT /v1/content/{guid}/permissions/{id} is in neither:
# the provider changes a role with POST's upsert.)
NOT_DRIVEN_BY_POSIT_SDK = {
    ("GET", "/v1/oauth/templates"),
    ("GET", "/v1/user"),
    ("POST", "/v1/oauth/integrations/{guid}/verify"),
    ("GET", "/v1/users"),
    ("GET", "/v1/users/{guid}"),
    ("GET", "/v1/groups"),
    ("GET", "/v1/groups/{guid}"),
    ("GET", "/v1/content"),
    ("PATCH", "/v1/content/{guid}"),
    ("GET", "/v1/content/{guid}/permissions"),
    ("POST", "/v1/content/{guid}/permissions"),
    ("DELETE", "/v1/content/{guid}/permissions/{id}"),
    ("GET", "/v1/content/{guid}/vanity"),
    ("PUT", "/v1/content/{guid}/vanity"),
    ("DELETE", "/v1/content/{guid}/vanity"),
    ("GET", "/v1/content/{guid}/environment"),
    ("PATCH", "/v1/content/{guid}/environment"),
}
REQUIRED = {
    ("GET", "/v1/oauth/integrations"),
    ("POST", "/v1/oauth/integrations"),
    ("GET", "/v1/oauth/integrations/{guid}"),
    ("PATCH", "/v1/oauth/integrations/{guid}"),
    ("DELETE", "/v1/oauth/integrations/{guid}"),
    ("GET", "/v1/oauth/integrations/{guid}/associations"),
    ("GET", "/v1/content/{guid}/oauth/integrations/associations"),
    ("PUT", "/v1/content/{guid}/oauth/integrations/associations"),
    ("GET", "/v1/content/{guid}"),
} | NOT_DRIVEN_BY_POSIT_SDK

# fake-connect's own test binaries (fake-connect/tests/*.rs): they send malformed requests on
# purpose, to test the fake's refusals.
FAKE_CONNECT_TESTS = {"api", "content", "faults", "exchanges"}

# The integration operations whose `config` values the document's text restricts.
CONFIG_WRITES = {("POST", "/v1/oauth/integrations"), ("PATCH", "/v1/oauth/integrations/{guid}")}


# -- the exchanges -----------------------------------------------------------------------------


@dataclass
class Exchange:
    line: dict
    file: str
    number: int

    def __getitem__(self, key):
        return self.line.get(key)

    @property
    def path(self) -> str:
        return urlsplit(self["path"]).path

    @property
    def operation(self):
        """(METHOD, the document's path template), or None outside the document."""
        return operation_of(self["method"], self.path)

    @property
    def program(self) -> str:
        """The recording executable without cargo's hash: `e2e`, `api`, `fake-connect`..."""
        # Linux names an executable replaced while it runs (a rebuild) `NAME (deleted)`.
        return re.sub(r"-[0-9a-f]{16}( \(deleted\))?$", "", self["program"] or "")

    def where(self) -> str:
        """Which exchange, and who made it, for an error message."""
        test = self["test"] or ""
        if self.program == "e2e":
            module = test.split("::")[0]
            origin = f"tests/e2e/{module}.rs ({test})"
        elif self.program == "terraform_provider_posit":
            origin = f"src/{'/'.join(test.split('::')[:-1])}.rs ({test})"
        elif self.program == "fake-connect":
            origin = "the fake-connect binary (scripts/contract-test.sh: tests/contract/test_posit_sdk.py)"
        elif self.program in FAKE_CONNECT_TESTS:
            origin = f"fake-connect/tests/{self.program}.rs ({test})"
        else:
            origin = f"{self.program} ({test})"
        agent = f", user agent {self['user_agent']}" if self["user_agent"] else ""
        return (
            f"{self['method']} {self['path']} -> {self['status']} "
            f"[profile {self['profile']}, recorded by {origin}{agent}; {self.file}:{self.number}]"
        )


def load_exchanges(directory: Path) -> list[Exchange]:
    exchanges = []
    for file in sorted(directory.glob("*.jsonl")):
        for number, text in enumerate(file.read_text().splitlines(), start=1):
            if text.strip():
                exchanges.append(Exchange(json.loads(text), file.name, number))
    return exchanges


# -- the document -------------------------------------------------------------------------------


def published() -> dict:
    return json.loads(DOCUMENT.read_text())


ERROR_CODES = set(published()["components"]["schemas"]["APIErrorCode"]["enum"])
# Path templates, literal segments first (`/v1/oauth/templates` before `/{guid}`-like ones).
PATHS = published()["paths"]
TEMPLATES = sorted(PATHS, key=lambda t: t.count("{"))


def operation_of(method: str, path: str):
    """The document's (METHOD, template) for a request, None when it documents no such
    operation."""
    if not path.startswith(PREFIX + "/"):
        return None
    segments = path[len(PREFIX) :].split("/")
    for template in TEMPLATES:
        parts = template.split("/")
        if len(parts) == len(segments) and all(t == s or (t.startswith("{") and s) for t, s in zip(parts, segments)):
            return (method.upper(), template) if method.lower() in PATHS[template] else None
    return None


# -- exemptions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    """A place where the published document is wrong: every Posit client does otherwise. The
    document is corrected in memory, narrowly; `still_there` proves the published one is still
    wrong, so a fixed document makes the correction fail instead of outliving its reason."""

    name: str
    reason: str
    correct: Callable[[dict], None]
    still_there: Callable[[dict], bool]


def _associations_are_lists(doc: dict) -> None:
    ops = doc["paths"]["/v1/content/{guid}/oauth/integrations/associations"]
    output = ops["get"]["responses"]["200"]["content"]["application/json"]
    output["schema"] = {"type": "array", "items": output["schema"]}
    body = ops["put"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"type": "array", "items": body["schema"]}


def _option_defaults_are_strings_or_booleans(doc: dict) -> None:
    option = doc["components"]["schemas"]["ServicePrincipalTemplateOption"]
    option["properties"]["default"] = {"anyOf": [{"type": "string"}, {"type": "boolean"}]}


def _visibility_values_are_scalars(doc: dict) -> None:
    expression = doc["components"]["schemas"]["ServicePrincipalTemplateVisibilityExpression"]
    scalar = [{"type": "string"}, {"type": "boolean"}]
    expression["properties"]["value"] = {"anyOf": [*scalar, {"type": "array", "items": {"anyOf": scalar}}]}


def _include_takes_a_list(doc: dict) -> None:
    for path in ("/v1/content", "/v1/content/{guid}"):
        for parameter in doc["paths"][path]["get"]["parameters"]:
            if parameter["name"] == "include":
                parameter["schema"] = {"type": "array", "items": parameter["schema"]}
                parameter["style"], parameter["explode"] = "form", False


# The operations that need the right to change a content item (their text says so), and list no 403.
CHANGES_WITHOUT_403 = (
    ("/v1/content/{guid}/vanity", "put"),
    ("/v1/content/{guid}/vanity", "delete"),
    ("/v1/content/{guid}/environment", "patch"),
    ("/v1/content/{guid}/environment", "put"),
)


def _changes_may_be_forbidden(doc: dict) -> None:
    for path, method in CHANGES_WITHOUT_403:
        responses = doc["paths"][path][method]["responses"]
        responses["403"] = copy.deepcopy(responses["400"])


def _schema(doc: dict, *keys):
    node = doc
    for key in keys:
        node = node[key]
    return node


DEFECTS = [
    Defect(
        name="content associations are lists",
        reason="GET and PUT /v1/content/{guid}/oauth/integrations/associations are typed as one "
        "OAuthIntegrationAssociationOutput/Input object, while posit-sdk-py and connectapi send and "
        "read a list of them ([] clears): each item is checked against the item schema instead",
        correct=_associations_are_lists,
        still_there=lambda doc: "$ref"
        in _schema(
            doc,
            "paths",
            "/v1/content/{guid}/oauth/integrations/associations",
            "get",
            "responses",
            "200",
            "content",
            "application/json",
            "schema",
        ),
    ),
    Defect(
        name="template option defaults are strings or booleans",
        reason="ServicePrincipalTemplateOption.default is typed object, though an option's default is "
        "a string or a boolean (SOURCE.md): a string or a boolean is accepted there",
        correct=_option_defaults_are_strings_or_booleans,
        still_there=lambda doc: _schema(
            doc, "components", "schemas", "ServicePrincipalTemplateOption", "properties", "default"
        )
        == {"type": "object"},
    ),
    Defect(
        name="visibility expression values are strings or booleans",
        reason="ServicePrincipalTemplateVisibilityExpression.value is typed object, though it holds the "
        "option value a field depends on (an auth type, a mode, a flag): a string, a boolean or a list "
        "of them is accepted there",
        correct=_visibility_values_are_scalars,
        still_there=lambda doc: _schema(
            doc, "components", "schemas", "ServicePrincipalTemplateVisibilityExpression", "properties", "value"
        )
        == {"type": "object"},
    ),
    Defect(
        name="include is comma-separated",
        reason="include of GET /v1/content and /v1/content/{guid} admits one value by its schema, "
        "while the operation's own text takes several, comma-separated (posit-sdk-py sends "
        "owner,tags,vanity_url): each value is checked against the enum",
        correct=_include_takes_a_list,
        still_there=lambda doc: all(
            p["schema"].get("type") == "string"
            for p in doc["paths"]["/v1/content/{guid}"]["get"]["parameters"]
            if p["name"] == "include"
        ),
    ),
    Defect(
        name="content changes may be refused with 403",
        reason="PUT and DELETE /v1/content/{guid}/vanity and PATCH and PUT /v1/content/{guid}/environment "
        "list no 403, though Connect's reference limits vanity changes to administrators and to "
        "publishers who may change the content (to administrators alone when "
        "Authorization.PublishersCanManageVanities is off), and an environment change is a change of "
        "the content like PATCH /v1/content/{guid}, which lists 403; fake-connect refuses the others "
        "with 403 as every other content operation does: a 403 APIError is accepted there",
        correct=_changes_may_be_forbidden,
        still_there=lambda doc: all(
            "403" not in doc["paths"][path][method]["responses"] for path, method in CHANGES_WITHOUT_403
        ),
    ),
]


@dataclass(frozen=True)
class Skip:
    """Exchanges whose request or answer is not checked at all, and why."""

    name: str
    reason: str
    requests: bool
    answers: bool
    applies: Callable[[Exchange], bool]


def _oauth_path(path: str) -> bool:
    return path.startswith(PREFIX + "/v1/oauth/") or (
        path.startswith(PREFIX + "/v1/content/") and "/oauth/" in path
    )


SKIPS = [
    Skip(
        name="server_settings is not in the document",
        reason="GET /__api__/server_settings is not listed, while posit-sdk-py and connectapi read the "
        "server's version there (the documented place, GET /v1/system/hosts, is for administrators "
        "only)",
        requests=True,
        answers=True,
        applies=lambda e: e.path == PREFIX + "/server_settings" and e["method"] == "GET",
    ),
    Skip(
        name="content creation is not in the copy",
        reason="POST /v1/content was left out of the facts-only copy (openapi/SOURCE.md); only "
        "tests/contract/test_posit_sdk.py calls it, to have content to associate",
        requests=True,
        answers=True,
        applies=lambda e: e.path == PREFIX + "/v1/content" and e["method"] == "POST",
    ),
    Skip(
        name="injected faults",
        reason="an answer a fault produced or altered (fake-connect/src/faults.rs) is hostile on "
        "purpose; the request that met it is still checked",
        requests=False,
        answers=True,
        applies=lambda e: e["fault"] is not None,
    ),
    Skip(
        name="a server without the templates endpoint",
        reason="profile older imitates Connect 2024.12, which has no /v1/oauth/templates: its "
        "answer there is an HTML 404 from outside the API",
        requests=False,
        answers=True,
        applies=lambda e: e["profile"] == "older" and e.path.startswith(PREFIX + "/v1/oauth/templates"),
    ),
    Skip(
        name="a server without the OAuth API",
        reason="profile no-oauth-api imitates a server without the OAuth API: every OAuth path "
        "answers 404 'endpoint does not exist'",
        requests=False,
        answers=True,
        applies=lambda e: e["profile"] == "no-oauth-api" and _oauth_path(e.path),
    ),
    Skip(
        name="fake-connect's own tests",
        reason="fake-connect/tests/*.rs send malformed requests on purpose (no key, wrong bodies, "
        "unknown paths) to test the fake's refusals; the fake's answers to them are still checked",
        requests=True,
        answers=False,
        applies=lambda e: e.program in FAKE_CONNECT_TESTS,
    ),
]


def corrected(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    for defect in DEFECTS:
        defect.correct(doc)
    return doc


def skipped(exchange: Exchange, *, requests: bool) -> bool:
    return any(s.applies(exchange) and (s.requests if requests else s.answers) for s in SKIPS)


# -- the checks ----------------------------------------------------------------------------------


def mock_request(e: Exchange) -> MockRequest:
    split = urlsplit(e["path"])
    args = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(split.query, keep_blank_values=True).items()}
    if "request_body" in e.line:
        data = json.dumps(e["request_body"]).encode()
    else:
        data = (e["request_text"] or "").encode() or None
    headers = {"Authorization": "Key recorded"} if e["has_key"] else {}
    content_type = (e["request_content_type"] or "").split(";")[0].strip()
    return MockRequest(
        HOST, e["method"].lower(), split.path, args=args, headers=headers, data=data, content_type=content_type
    )


def mock_response(e: Exchange) -> MockResponse:
    if "response_body" in e.line:
        data = json.dumps(e["response_body"]).encode()
    else:
        data = (e["response_text"] or "").encode()
    content_type = (e["content_type"] or "").split(";")[0].strip()
    return MockResponse(data, status_code=e["status"], content_type=content_type)


def explain(error: Exception) -> str:
    """What the validator said: the exception, and each schema error under it."""
    said = f"{type(error).__name__}: {error}"
    cause = error.__cause__
    details = [e.message for e in getattr(cause, "schema_errors", ()) or ()]
    if details:
        said = f"{type(error).__name__}: " + "; ".join(details)
    elif cause is not None and str(cause) not in said:
        said += f" ({cause!r})"
    return said


class Violations:
    """Violations grouped by what was said, each group with its count and first exchanges."""

    SHOWN = 3

    def __init__(self):
        self.groups: dict[str, list[Exchange]] = defaultdict(list)

    def add(self, message: str, exchange: Exchange) -> None:
        self.groups[message].append(exchange)

    def report(self, title: str) -> str:
        lines = [f"{title}: {sum(len(g) for g in self.groups.values())} in {len(self.groups)} kinds"]
        for message, exchanges in sorted(self.groups.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"\n- {len(exchanges)}x {message}")
            for e in exchanges[: self.SHOWN]:
                lines.append(f"    {e.where()}")
        return "\n".join(lines)

    def __bool__(self) -> bool:
        return bool(self.groups)


def canonical_path(path: str) -> str:
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{guid}", path)


def check_requests(api: OpenAPI, exchanges: list[Exchange]) -> Violations:
    found, seen = Violations(), {}
    for e in exchanges:
        if skipped(e, requests=True):
            continue
        key = (e["method"], e["path"], json.dumps(e["request_body"], sort_keys=True), e["request_text"], e["has_key"])
        if key not in seen:
            try:
                api.validate_request(mock_request(e))
                seen[key] = None
            except Exception as error:  # noqa: BLE001 - every validator error is a finding
                seen[key] = f"request: {e['method']} {canonical_path(e.path)}: {explain(error)}"
        if seen[key]:
            found.add(seen[key], e)
    return found


def check_answers(api: OpenAPI, exchanges: list[Exchange]) -> Violations:
    found = Violations()
    for e in exchanges:
        if skipped(e, requests=False) or e.operation is None:
            # No operation of the document: the request check says so; no answer is documented.
            continue
        try:
            api.validate_response(mock_request(e), mock_response(e))
        except Exception as error:  # noqa: BLE001 - every validator error is a finding
            found.add(f"answer: {e['method']} {canonical_path(e.path)} {e['status']}: {explain(error)}", e)
            continue
        # APIError types `code` as any integer; the document's codes are APIErrorCode's.
        body = e["response_body"]
        if e["status"] >= 400 and isinstance(body, dict) and body.get("code") not in ERROR_CODES:
            said = f"code {body.get('code')!r} is not one of APIErrorCode's"
            found.add(f"answer: {e['method']} {canonical_path(e.path)} {e['status']}: {said}", e)
    return found


def json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "a number"
    return "an array" if isinstance(value, list) else "an object"


def check_config_values(exchanges: list[Exchange]) -> Violations:
    """The document's text: a template field's value "must be a string"; options are booleans."""
    found = Violations()
    for e in exchanges:
        if e.operation not in CONFIG_WRITES or skipped(e, requests=True):
            continue
        body = e["request_body"]
        config = body.get("config") if isinstance(body, dict) else None
        for key, value in (config or {}).items() if isinstance(config, dict) else ():
            if not isinstance(value, (str, bool)):
                found.add(f"config value: {e['method']} {canonical_path(e.path)}: {key} is {json_kind(value)}", e)
    return found


# -- the tests -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exchanges() -> list[Exchange]:
    directory = os.environ.get(EXCHANGES_ENV)
    if not directory:
        # Not a skip: a run that checks nothing must not look green.
        pytest.fail(f"{EXCHANGES_ENV} must name the directory fake-connect recorded into (see scripts/test.sh)")
    found = load_exchanges(Path(directory))
    if not found:
        pytest.fail(f"no exchange recorded in {directory}: nothing was checked")
    return found


@pytest.fixture(scope="module")
def api() -> OpenAPI:
    return OpenAPI.from_dict(corrected(published()))


def test_each_corrected_defect_is_still_in_the_published_document():
    doc = published()
    for defect in DEFECTS:
        assert defect.still_there(doc), f"{defect.name}: fixed in the document? drop the correction ({defect.reason})"
    assert "/server_settings" not in doc["paths"], "server_settings is documented now: check it"
    assert "post" not in doc["paths"]["/v1/content"], "POST /v1/content is in the copy now: check it"


def test_corrections_are_narrow(api):
    """The corrected document still refuses what the published one did beside each defect."""
    guid = "0d5f8a3e-6c1b-4f2a-9e7d-5b4c3a2f1e0d"
    key = {"Authorization": "Key k"}
    associations = f"{PREFIX}/v1/content/{guid}/oauth/integrations/associations"

    def put(body):
        return MockRequest(HOST, "put", associations, headers=key, data=json.dumps(body).encode())

    def get(include):
        return MockRequest(HOST, "get", f"{PREFIX}/v1/content/{guid}", headers=key, args={"include": include})

    api.validate_request(put([{"oauth_integration_guid": guid}]))
    api.validate_request(put([]))
    api.validate_request(get("owner,tags,vanity_url"))
    for bad in (
        put({"oauth_integration_guid": guid}),
        put([{"oauth_integration_guid": guid, "extra": 1}]),
        put([{"oauth_integration_guid": "x"}]),
        get("owner,bundles"),
    ):
        with pytest.raises(Exception):
            api.validate_request(bad)


def test_there_are_exchanges_to_check(exchanges):
    checked = [e for e in exchanges if not skipped(e, requests=True) or not skipped(e, requests=False)]
    assert checked, f"all {len(exchanges)} exchanges were exempt: nothing was checked"


def test_requests_follow_the_document(api, exchanges):
    found = check_requests(api, exchanges)
    assert not found, found.report("requests the document does not allow")


def test_answers_follow_the_document(api, exchanges):
    found = check_answers(api, exchanges)
    assert not found, found.report("answers the document does not allow")


def test_config_values_are_strings_or_booleans(exchanges):
    found = check_config_values(exchanges)
    assert not found, found.report("config values that are neither a string nor a boolean")


def test_the_traffic_covers_what_the_provider_calls(exchanges):
    # Only the clients under test count: not fake-connect's own tests, nor answers of faults.
    covered = {
        e.operation
        for e in exchanges
        if not skipped(e, requests=True) and e["fault"] is None and 200 <= (e["status"] or 0) < 300
    }
    coverage = os.environ.get(COVERAGE_ENV) or "full"
    required = {"full": REQUIRED, "posit-sdk": REQUIRED - NOT_DRIVEN_BY_POSIT_SDK, "none": set()}.get(coverage)
    assert required is not None, f"{COVERAGE_ENV}={coverage}: one of full, posit-sdk, none"
    if coverage != "full":
        warnings.warn(
            f"{COVERAGE_ENV}={coverage}: the traffic is posit-sdk's alone, so "
            + ("only what its tests drive is required" if required else "no coverage is required"),
            stacklevel=1,
        )
    missing = sorted(required - covered)
    assert not missing, "operations no recorded exchange answered with success: " + ", ".join(
        f"{m} {p}" for m, p in missing
    )
