"""Contract tests: Posit's own Python client (posit-sdk) against the fake Connect.

The provider and the fake are written by the same hands, so they could share a wrong idea of
Connect's API and still agree with each other. posit-sdk is written against real servers: where
it cannot drive the fake, or cannot read what the fake answers, the fake is wrong.

Needs a running fake (or any Connect the key may change): CONNECT_SERVER (its base URL) and
CONNECT_API_KEY (an administrator's key). scripts/setup-python-tests.sh installs the pinned
posit-sdk and pytest; scripts/test.sh starts a fake and runs these.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime

import pytest
from posit.connect import Client
from posit.connect.errors import ClientError

SECRET = "contract-test-client-secret-" + uuid.uuid4().hex

# The seed page's Azure OpenAI example, verbatim but for the placeholders.
AZURE_OPENAI = {
    "template": "azure-openai",
    "name": "Azure OpenAI OAuth integration",
    "description": "A helpful description for publishers to use when choosing an OAuth integration "
    "for their content.",
    "config": {
        "auth_type": "Viewer",
        "tenant_id": "00000000-0000-0000-0000-00000000aaaa",
        "client_id": "00000000-0000-0000-0000-00000000bbbb",
        "client_secret": SECRET,
        "scopes": "https://cognitiveservices.azure.com/.default offline_access",
    },
}

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def env():
    server, key = os.environ.get("CONNECT_SERVER"), os.environ.get("CONNECT_API_KEY")
    if not server or not key:
        # Not a skip: a run that tests nothing must not look green.
        pytest.fail("CONNECT_SERVER and CONNECT_API_KEY must name a running fake-connect (see scripts/test.sh)")
    return server, key


@pytest.fixture
def answers():
    """Every answer body the client received during one test."""
    return []


@pytest.fixture
def client(env, answers):
    server, key = env
    c = Client(url=server, api_key=key)

    def record(response, *args, **kwargs):
        answers.append((response.request.method, response.url, response.status_code, response.text))
        return response

    # First, so it sees error answers too before the SDK's own hook raises on them.
    c.session.hooks["response"].insert(0, record)
    yield c
    # The client secret is never returned, in any answer, error or not.
    for method, url, status, text in answers:
        assert SECRET not in text, f"{method} {url} ({status}) returned the client secret: {text}"
    c.session.close()


def new_integration(client, **changes):
    body = {**AZURE_OPENAI, **changes}
    body["config"] = dict(AZURE_OPENAI["config"])
    return client.oauth.integrations.create(**body)


def unique_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def version_tuple(version):
    return tuple(int(part) for part in (version or "0").split(".")[:2] if part.isdigit())


def assert_time(value):
    assert isinstance(value, str), value
    # RFC 3339 as Connect writes it; fromisoformat reads the trailing Z from Python 3.11 on.
    datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_integration(item, *, name, description, config):
    """The fields posit-sdk and its users read, typed as its fixtures have them."""
    assert isinstance(item["guid"], str) and GUID.match(item["guid"]), item
    # `id` is a numeric string, a different value from the guid.
    assert isinstance(item["id"], str) and item["id"].isdigit(), item
    assert item["name"] == name
    assert item["description"] == description
    assert item["template"] == "azure-openai"
    # Top-level auth_type: what find_by(auth_type=...) matches on.
    assert item["auth_type"] == config["auth_type"]
    assert_time(item["created_time"])
    assert_time(item["updated_time"])
    assert isinstance(item["config"], dict)
    assert "client_secret" not in item["config"], item["config"]
    for key, value in config.items():
        if key != "client_secret":
            assert item["config"][key] == value, (key, item["config"])


def test_integration_lifecycle(client):
    created = new_integration(client)
    guid = created["guid"]
    try:
        assert_integration(
            created, name=AZURE_OPENAI["name"], description=AZURE_OPENAI["description"], config=AZURE_OPENAI["config"]
        )

        listed = client.oauth.integrations.find()
        assert isinstance(listed, list)
        mine = [i for i in listed if i["guid"] == guid]
        assert len(mine) == 1, listed
        assert dict(mine[0]) == dict(created)

        got = client.oauth.integrations.get(guid)
        assert dict(got) == dict(created)

        found = client.oauth.integrations.find_by(
            integration_type="azure-openai",
            auth_type="Viewer",
            name="^Azure OpenAI OAuth integration$",
            config={"tenant_id": AZURE_OPENAI["config"]["tenant_id"]},
            guid=guid,
        )
        assert found is not None and found["guid"] == guid

        # PATCH: name, description and config. The SDK updates the object with the answer.
        config = {
            "auth_type": "Viewer",
            "tenant_id": "00000000-0000-0000-0000-00000000cccc",
            "client_id": "00000000-0000-0000-0000-00000000dddd",
            "client_secret": SECRET,
            "scopes": "https://cognitiveservices.azure.com/.default offline_access openid",
        }
        got.update(name="Renamed by posit-sdk", description="", config=config)
        assert_integration(got, name="Renamed by posit-sdk", description="", config=config)
        assert got["guid"] == guid and got["id"] == created["id"]
        assert got["created_time"] == created["created_time"]
        again = client.oauth.integrations.get(guid)
        assert dict(again) == dict(got)
    finally:
        client.oauth.integrations.get(guid).delete()

    with pytest.raises(ClientError) as missing:
        client.oauth.integrations.get(guid)
    assert missing.value.http_status == 404
    assert isinstance(missing.value.error_code, int)
    assert missing.value.error_message
    assert all(i["guid"] != guid for i in client.oauth.integrations.find())


def test_refusals_are_connect_errors_the_sdk_reads(client):
    with pytest.raises(ClientError) as refused:
        client.oauth.integrations.create(
            template="azure-openai",
            name="Refused",
            description="",
            config={**AZURE_OPENAI["config"], "auth_type": "Nobody"},
        )
    assert refused.value.http_status == 400
    assert isinstance(refused.value.error_code, int) and refused.value.error_message
    assert client.oauth.integrations.find_by(name="^Refused$") is None

    with pytest.raises(ClientError) as missing:
        client.content.get(str(uuid.uuid4()))
    assert missing.value.http_status == 404


def test_content_and_associations(client):
    integration = new_integration(client, name=unique_name("assoc"))
    other = new_integration(client, name=unique_name("assoc-other"))
    try:
        name = unique_name("contract-content")
        content = client.content.create(name=name, title="Contract test content", description="made by posit-sdk")
        guid = content["guid"]
        assert isinstance(guid, str) and GUID.match(guid), content
        assert content["name"] == name
        assert content["title"] == "Contract test content"
        assert content["description"] == "made by posit-sdk"
        assert isinstance(content["owner_guid"], str) and content["owner_guid"]
        # Never deployed, yet a time: the published document's Content has no null there.
        assert_time(content["last_deployed_time"])
        assert_time(content["created_time"])
        assert isinstance(content["app_mode"], str)

        # get() asks for owner, tags and vanity_url; the owner is read back as an object.
        got = client.content.get(guid)
        assert got["guid"] == guid and got["name"] == name
        assert got["owner"]["guid"] == content["owner_guid"]

        associations = content.oauth.associations
        assert associations.find() == []

        associations.update(integration["guid"])
        found = associations.find()
        assert len(found) == 1, found
        one = found[0]
        assert one["oauth_integration_guid"] == integration["guid"]
        assert one["oauth_integration_name"] == integration["name"]
        assert one["oauth_integration_description"] == integration["description"]
        assert one["oauth_integration_template"] == "azure-openai"
        assert one["oauth_integration_auth_type"] == "Viewer"
        # The content, under its old name and (2025.07.0+) its new one.
        assert one["app_guid"] == guid
        assert one.get("content_guid", guid) == guid
        assert_time(one["created_time"])

        assert associations.find_by(guid=integration["guid"], integration_type="azure-openai", auth_type="Viewer")
        assert associations.find_by(guid=other["guid"]) is None

        # The integration lists the content that uses it.
        by_integration = integration.associations.find()
        assert [a["oauth_integration_guid"] for a in by_integration] == [integration["guid"]]
        assert [a["app_guid"] for a in by_integration] == [guid]

        # Several at once (only Connect 2025.07.0 and later take more than one), replacing the set.
        if version_tuple(client.version) >= (2025, 7):
            associations.update([integration["guid"], other["guid"]])
            assert sorted(a["oauth_integration_guid"] for a in associations.find()) == sorted(
                [integration["guid"], other["guid"]]
            )
        associations.update([other["guid"]])
        assert [a["oauth_integration_guid"] for a in associations.find()] == [other["guid"]]
        assert integration.associations.find() == []

        # An integration that does not exist is refused and changes nothing.
        with pytest.raises(ClientError) as refused:
            associations.update(str(uuid.uuid4()))
        assert refused.value.http_status in (400, 404)
        assert [a["oauth_integration_guid"] for a in associations.find()] == [other["guid"]]

        associations.delete()
        assert associations.find() == []
        assert other.associations.find() == []

        # Deleting an integration removes its associations.
        associations.update(integration["guid"])
        integration.delete()
        integration = None
        assert associations.find() == []
    finally:
        for item in (integration, other):
            if item is not None:
                item.delete()
