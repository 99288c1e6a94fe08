"""The Periscope vendor examples ("User & Group Management API Call Examples in Python"),
sent with `requests` exactly as written there, pointed at the Periscope simulator.

Only the host, the credentials and names the examples leave to the reader change: the
inviting/creating admin is the simulator's seeded administrator, and the groups named exist.
Reads the simulator's URL and credentials from the JSON file named by ROSTER_SIM_INFO.
"""

import json
import os
import sys
import traceback

import requests

INFO = json.load(open(os.environ["ROSTER_SIM_INFO"]))["periscope"]
BASE = INFO["url"]
AUTH = INFO["site_name"] + ":" + INFO["api_key"]
ADMIN = INFO["admin_email"]

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


def headers(email=None):
    h = {"HTTP-X-PARTNER-AUTH": AUTH, "Content-Type": "application/json"}
    if email:
        h["HTTP-X-EMAIL"] = email
    return h


def dump():
    return requests.get(BASE + "/__sim/periscope/state").json()


@step("GET Users")
def _():
    response = requests.get(BASE + "/api/v1/users", headers=headers())
    users = json.loads(response.text)["users"]
    assert response.status_code == 200 and any(u["email"] == ADMIN for u in users)


@step("GET Single User")
def _():
    response = requests.get(BASE + "/api/v1/users", headers=headers(ADMIN))
    user = json.loads(response.text)
    assert user["email"] == ADMIN and "Administrators" in user["groups"]


@step("test_mode=true changes nothing (user and group calls)")
def _():
    before = dump()
    payload = {"first_name": "MyFirstName", "last_name": "MyLastName", "email": "newuseremail@website.com",
               "groups": ["Administrators"], "invited_by_email": ADMIN}
    response = requests.post(BASE + "/api/v1/users?test_mode=true", headers=headers(), data=json.dumps(payload))
    assert response.status_code == 201, response.text
    assert json.loads(response.text)["email"] == "newuseremail@website.com"
    payload = {"first_name": "newFirstName", "last_name": "newLastName"}
    response = requests.put(BASE + "/api/v1/users?test_mode=true", headers=headers(ADMIN), data=json.dumps(payload))
    assert json.loads(response.text)["first_name"] == "newFirstName"
    response = requests.delete(BASE + "/api/v1/users?test_mode=true", headers=headers(ADMIN))
    assert json.loads(response.text)["email"] == ADMIN
    payload = {"name": "myNewGroup", "access": "discovery", "created_by_email": ADMIN}
    response = requests.post(BASE + "/api/v1/groups?test_mode=true", headers=headers(), data=json.dumps(payload))
    assert response.status_code == 201 and json.loads(response.text)["access"] == "discovery"
    payload = {"name": "myExistingGroup", "access": "View"}
    response = requests.put(BASE + "/api/v1/groups/Analysts?test_mode=true", headers=headers(), data=json.dumps(payload))
    assert json.loads(response.text)["name"] == "myExistingGroup"
    response = requests.delete(BASE + "/api/v1/groups/Analysts?test_mode=true", headers=headers())
    assert response.status_code == 204
    assert dump() == before


@step("CREATE, UPDATE and DELETE User")
def _():
    payload = {"first_name": "MyFirstName", "last_name": "MyLastName", "email": "newuseremail@website.com",
               "groups": ["Administrators"], "invited_by_email": ADMIN}
    response = requests.post(BASE + "/api/v1/users?test_mode=false", headers=headers(), data=json.dumps(payload))
    assert response.status_code == 201, response.text
    assert json.loads(response.text)["groups"] == ["Administrators", "All Users"]
    payload = {"first_name": "newFirstName", "last_name": "newLastName"}
    response = requests.put(BASE + "/api/v1/users?test_mode=false", headers=headers("newuseremail@website.com"),
                            data=json.dumps(payload))
    user = json.loads(response.text)
    assert (user["first_name"], user["last_name"]) == ("newFirstName", "newLastName")
    # The bulk-delete script's spelling, test_mode=False.
    response = requests.delete(BASE + "/api/v1/users?test_mode=False", headers=headers("newuseremail@website.com"))
    assert json.loads(response.text)["email"] == "newuseremail@website.com"
    response = requests.get(BASE + "/api/v1/users", headers=headers("newuseremail@website.com"))
    assert response.status_code == 404 and "error" in json.loads(response.text)


@step("GET Groups and GET Single Group")
def _():
    groups = json.loads(requests.get(BASE + "/api/v1/groups", headers=headers()).text)["groups"]
    assert {"Administrators", "All Users"} <= {g["name"] for g in groups}
    group = json.loads(requests.get(BASE + "/api/v1/groups/Administrators", headers=headers()).text)
    assert group["name"] == "Administrators"


@step("CREATE, UPDATE and DELETE Group")
def _():
    payload = {"name": "myNewGroup", "access": "discovery", "created_by_email": ADMIN}
    response = requests.post(BASE + "/api/v1/groups?test_mode=false", headers=headers(), data=json.dumps(payload))
    assert response.status_code == 201, response.text
    payload = {"name": "myExistingGroup", "access": "View"}
    response = requests.put(BASE + "/api/v1/groups/myNewGroup?test_mode=false", headers=headers(),
                            data=json.dumps(payload))
    assert json.loads(response.text) == {"name": "myExistingGroup", "access": "View"}
    response = requests.delete(BASE + "/api/v1/groups/myExistingGroup?test_mode=false", headers=headers())
    print(response.status_code)
    assert response.status_code == 204
    assert requests.get(BASE + "/api/v1/groups/myExistingGroup", headers=headers()).status_code == 404


print(f"{PASSES} passed, {len(FAILURES)} failed")
sys.exit(1 if FAILURES else 0)
