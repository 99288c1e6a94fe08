"""lumapps-sdk 2.0.3, unmodified, against the LumApps simulator: the recipe of the usersave
spec, section 8.5, plus the three endpoints the recipe leaves out (feed/list, feed/get,
feed/user/subscription/list).

Reads the simulator's URL and OAuth application from the JSON file named by ROSTER_SIM_INFO
(written by run.sh). Runs in its own process: the SDK's discovery cache hook is process-wide.
Exits 0 with a note when the SDK is not installed.
"""

import json
import os
import sys
import tempfile
import traceback

# Keep any sqlite discovery cache out of $HOME, and never send loopback calls to a proxy.
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp())
os.environ["NO_PROXY"] = "127.0.0.1"

try:
    import httpx
    from lumapps.api import utils
    from lumapps.api.base_client import BaseClient
    from lumapps.api.client import LumAppsClient
except ImportError as missing:  # the job is skipped when the package cannot be installed
    print(f"skip: lumapps-sdk is not installed ({missing})")
    sys.exit(0)

INFO = json.load(open(os.environ["ROSTER_SIM_INFO"]))["usersave"]
SIM = INFO["url"]  # an IPv4 literal passes the SDK's 4-label host check
ORG = INFO["customer_id"]
CREDS = {"client_id": INFO["client_id"], "client_secret": INFO["client_secret"]}
ADMIN = INFO["acting_user_email"]
# The key under which the SDK looks up the lumsites discovery document (fixed in base_client.py).
SDK_DISCOVERY_KEY = (
    "https://storage.googleapis.com/prod-frontend-static-assets/"
    "api-discovery/lumapps-discovery-go-cell-001.json"
)

FAILURES = []
PASSES = 0


def step(name):
    def wrap(fn):
        global PASSES
        try:
            fn()
            PASSES += 1
            print(f"ok   {name}")
        except Exception:  # a failed check or an unexpected exception
            FAILURES.append(name)
            print(f"FAIL {name}")
            traceback.print_exc(limit=3)
        return fn

    return wrap


# 1. Hand the SDK the simulator's discovery document through its public cache hook.
doc = httpx.get(f"{SIM}/_ah/api/discovery/v1/apis/lumsites/v1/rest").json()
seeded = utils.DiscoveryCacheDict()
seeded.set(SDK_DISCOVERY_KEY, doc)
utils.set_discovery_cache(seeded)  # process-wide: nothing downloaded, no sqlite written

# 2. A client acting as the seeded admin (token from the simulator's application-token endpoint).
api = LumAppsClient(ORG, None, api_info={"base_url": SIM}, auth_info=CREDS).get_user_api(ADMIN)
state = {}


@step("user/get without parameters is the acting user")
def _():
    assert api.get_call("user/get")["email"] == ADMIN


@step("user/list walks the cursor chain across pages")
def _():
    everyone = api.get_call("user/list", maxResults=2, showHidden=True)
    assert len(everyone) > 2, everyone
    assert len({u["id"] for u in everyone}) == len(everyone)
    assert ADMIN in {u["email"] for u in everyone}
    # iter_users sends an empty instance= parameter, which must count as absent.
    assert len(list(api.iter_users())) >= 1


@step("user/save creates, then read-modify-write deactivates")
def _():
    new = api.save_user(
        {"email": "conf@example.com", "firstName": "Conf", "lastName": "Test", "accountType": "external"}
    )
    assert new["status"] == "enabled" and new["id"] == new["uid"] and new["fullName"] == "Conf Test", new
    u = api.get_call("user/get", email="conf@example.com")  # get_call, not get_user: the latter caches
    u["status"] = "disabled"
    assert api.save_user(u)["status"] == "disabled"
    state["conf_id"] = new["id"]


@step("an empty list is [] and an unknown user is None")
def _():
    assert api.get_call("user/list", status="no-such-status") == []  # needs {"more": false}
    assert api.get_user("ghost@example.com") is None  # 404 -> None


@step("built-in feeds are found through feed/search")
def _():
    assert api.get_all_group_id() and api.get_public_group_id()


@step("feed/save, feed/list, feed/get")
def _():
    ftype = next(api.iter_call("feedtype/list", customer=ORG))["id"]
    feed = api.get_call(
        "feed/save",
        body={"customer": ORG, "name": "Conformance", "functionalInnerId": "conformance",
              "type": ftype, "heritable": True, "status": "enabled"},
    )
    assert feed["id"] == feed["uid"] and feed["name"] == "Conformance"
    assert feed["id"] in {f["id"] for f in api.get_call("feed/list")}
    assert api.get_call("feed/get", uid=feed["id"])["name"] == "Conformance"
    state["feed"] = feed


@step("feed/subscribers/save: batched adds, skip-missing, members, removal, 404 envelope")
def _():
    feed = state["feed"]
    assert api.add_users_to_group(feed["id"], ["conf@example.com"]) is None  # empty 2xx body
    skipped = api.add_users_to_group_skip_missing(feed["id"], [ADMIN, "ghost@example.com"])
    assert skipped == ["ghost@example.com"], skipped
    members = {m["email"] for m in api.get_call("user/list", feeds=[feed["id"]], showHidden=True)}
    assert members == {ADMIN, "conf@example.com"}, members
    subs = api.get_call("feed/user/subscription/list", userId=state["conf_id"])
    assert feed["id"] in {f["id"] for f in subs}
    api.get_call("feed/subscribers/save", body={"feed": feed["id"], "addedUsers": [], "removedUsers": [ADMIN]})
    members = {m["email"] for m in api.get_call("user/list", feeds=[feed["id"]], showHidden=True)}
    assert members == {"conf@example.com"}, members
    try:
        api.get_call("feed/subscribers/save",
                     body={"feed": feed["id"], "addedUsers": ["ghost@example.com"], "removedUsers": []})
        raise AssertionError("expected 404")
    except httpx.HTTPStatusError as e:
        assert e.response.status_code == 404
        assert e.response.json()["error"]["errors"][0]["message"] == "User not found: ghost@example.com"


@step("feed/delete answers an empty body")
def _():
    assert api.delete_group(state["feed"]["id"]) is None


@step("a 401 after revocation makes a refetching client take a new token")
def _():
    fresh = BaseClient({"base_url": SIM}, auth_info=CREDS).get_new_client_as(ADMIN, ORG)
    assert fresh.get_call("user/get")["email"] == ADMIN
    httpx.post(f"{SIM}/__sim/lumapps/revoke-tokens")
    assert fresh.get_call("user/get")["email"] == ADMIN  # 401 -> new token -> retry succeeds


print(f"{PASSES} passed, {len(FAILURES)} failed")
sys.exit(1 if FAILURES else 0)
