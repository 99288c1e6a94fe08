"""PyCap, unmodified, against the REDCap simulator: the script of the REDCap spec, section 7.2.

Reads the simulator's URLs and tokens from the JSON file named by ROSTER_SIM_INFO (written by
run.sh). The main project also holds generated users, so row checks look at the named users
(admin, alice, bob, carol, dave) and leave the generated ones aside.
"""

import csv
import io
import json
import os
import re
import sys
import traceback

import requests
from redcap import Project, RedcapError

INFO = json.load(open(os.environ["ROSTER_SIM_INFO"]))["redcap"]
URL = INFO["api_url"]
VERSION = tuple(int(p) for p in INFO["version"].split("."))
NAMED = {"admin", "alice", "bob", "carol", "dave"}

p = Project(URL, INFO["token"])

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


def error_of(call, *args, **kwargs):
    """The RedcapError a call raises: its message (the `error` value, or the raw text)."""
    try:
        result = call(*args, **kwargs)
    except RedcapError as e:
        arg = e.args[0] if e.args else ""
        return arg["error"] if isinstance(arg, dict) else str(arg)
    raise AssertionError(f"expected a RedcapError, got {result!r}")


def named(rows):
    return [r for r in rows if r["username"] in NAMED]


USER_KEYS = (
    ["username", "email", "firstname", "lastname", "expiration", "data_access_group",
     "data_access_group_id"]
    + (["data_access_group_label"] if VERSION >= (16, 0, 0) else [])
    + ["design", "alerts", "user_rights", "data_access_groups", "reports", "stats_and_charts",
       "manage_survey_participants", "calendar", "data_import_tool", "data_comparison_tool",
       "logging", "email_logging", "file_repository", "data_quality_create",
       "data_quality_execute", "api_export", "api_import", "api_modules", "mobile_app",
       "mobile_app_download_data", "record_create", "record_rename", "record_delete",
       "lock_records_all_forms", "lock_records", "lock_records_customization", "forms",
       "forms_export"]
)


def user(name):
    return {u["username"]: u for u in p.export_users()}.get(name)


@step("01 export_users")
def _():
    rows = named(p.export_users())
    assert [r["username"] for r in rows] == ["admin", "alice", "bob"], rows
    for r in rows:
        assert list(r.keys()) == USER_KEYS, list(r.keys())
        assert "data_export" not in r
    alice = rows[1]
    assert alice["data_access_group"] == "test_dag"
    assert alice["data_access_group_id"] == 1
    assert alice["reports"] == 1 and isinstance(alice["reports"], int)
    assert alice["forms"] == {"form_1": 1, "form_2": 0}


@step("02 export_users csv")
def _():
    text = p.export_users(format_type="csv")
    assert text.startswith(
        "username,email,firstname,lastname,expiration,data_access_group,data_access_group_id,"
        + ("data_access_group_label," if VERSION >= (16, 0, 0) else "")
        + "design"
    ), text[:200]
    rows = {r["username"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["alice"]["forms"] == "form_1:1,form_2:0", rows["alice"]["forms"]


@step("03 import an exported row")
def _():
    assert p.import_users([p.export_users()[0]]) == 1


@step("04 export_user_roles")
def _():
    roles = p.export_user_roles()
    assert len(roles) == 1, roles
    assert roles[0]["unique_role_name"] == "U-573AEYRNR8"
    assert roles[0]["design"] == "0"
    assert all(isinstance(v, int) for v in roles[0]["forms"].values())


@step("05 export_user_role_assignment")
def _():
    assert named(p.export_user_role_assignment()) == [
        {"username": "admin", "unique_role_name": "", "data_access_group": ""},
        {"username": "alice", "unique_role_name": "U-573AEYRNR8", "data_access_group": "test_dag"},
        {"username": "bob", "unique_role_name": "", "data_access_group": ""},
    ]


@step("06 export_dags")
def _():
    assert p.export_dags() == [
        {"data_access_group_name": "Test DAG", "unique_group_name": "test_dag",
         "data_access_group_id": 1}
    ]


@step("07 export_user_dag_assignment")
def _():
    assert named(p.export_user_dag_assignment()) == [
        {"username": "admin", "redcap_data_access_group": ""},
        {"username": "alice", "redcap_data_access_group": "test_dag"},
        {"username": "bob", "redcap_data_access_group": ""},
    ]


@step("08 import a new user")
def _():
    assert p.import_users(
        [{"username": "carol", "data_access_group": "test_dag", "forms": {"form_1": 1}}]) == 1
    carol = user("carol")
    assert carol["email"] == "carol@example.org"
    assert carol["data_access_group"] == "test_dag"
    rights = [k for k in USER_KEYS[USER_KEYS.index("design"):] if k not in ("forms", "forms_export")]
    assert all(carol[k] == 0 for k in rights), carol
    assert carol["forms"] == {"form_1": 1, "form_2": 0}
    assert carol["forms_export"] == {"form_1": 0, "form_2": 0}


@step("09 update clears the DAG")
def _():
    assert p.import_users([{"username": "carol", "design": 1}]) == 1
    carol = user("carol")
    assert carol["design"] == 1 and carol["data_access_group"] == ""


@step("10 users in a role cannot be imported")
def _():
    try:
        p.import_users([{"username": "alice", "data_access_group": "test_dag"}])
    except RedcapError as e:
        assert e.args[0] == {"error": "The user \"alice\" cannot have their user privileges "
                             "modified because the user belongs to a user role. Users in roles "
                             "cannot have their privileges modified via the 'Import User' API "
                             "method."}, e.args
    else:
        raise AssertionError("no error")


@step("11 bad username")
def _():
    assert error_of(p.import_users, [{"username": "bad!"}]) == (
        'username "bad!" is not in a valid username format. User names can only contain '
        "letters, numbers, underscores, hyphens, periods, spaces, apostrophes, and @ symbols.")


@step("12 bad right")
def _():
    assert error_of(p.import_users, [{"username": "bob", "design": 2}]) == (
        'The field named "design" for user "bob"  with value "2" is not a valid rights value. '
        "It must be 0 or 1.")


@step("13 bad DAG")
def _():
    assert error_of(p.import_users, [{"username": "bob", "data_access_group": "nope"}]) == (
        'data_access_group "nope" is not a valid unique Data Access Group name for this project.')


NEW_ROLE = {}


@step("14 create a role")
def _():
    assert p.import_user_roles([{"role_label": "New Role"}]) == 1
    r = p.export_user_roles()[-1]
    assert r["role_label"] == "New Role"
    assert re.match(r"^U-[1-9]{3}[34789ACDEFHJKLMNPRTWXY]{7}$", r["unique_role_name"]), r
    NEW_ROLE.update(r)


@step("15 role errors")
def _():
    assert error_of(p.import_user_roles, [{"role_label": ""}]) == "The Role Label is blank."
    assert error_of(p.import_user_roles,
                    [{"unique_role_name": "U-111AAAAAAA", "role_label": "x"}]) == (
        "Invalid Unique Role Names: U-111AAAAAAA")


@step("16 re-import the roles")
def _():
    assert p.import_user_roles(p.export_user_roles()) == 2


@step("17 delete a role twice")
def _():
    name = NEW_ROLE["unique_role_name"]
    assert p.delete_user_roles([name]) == 1
    message = error_of(p.delete_user_roles, [name])
    assert message.endswith(f"Roles that do not exist: {name}"), message


@step("18 role assignment adds a user")
def _():
    assert p.import_user_role_assignment(
        [{"username": "dave", "unique_role_name": "U-573AEYRNR8"}]) == 1
    assert user("dave") is not None


@step("19 unknown role name")
def _():
    assert error_of(p.import_user_role_assignment,
                    [{"username": "bob", "unique_role_name": "test role"}]) == (
        "Invalid Unique Role Names: test role")


@step("20 DAG assignment")
def _():
    assert p.import_user_dag_assignment(
        [{"username": "bob", "redcap_data_access_group": "test_dag"}]) == 1


@step("21 DAG assignment of a stranger")
def _():
    assert error_of(p.import_user_dag_assignment,
                    [{"username": "nobody", "redcap_data_access_group": "test_dag"}]) == (
        'The username "nobody" does not exist in the project.')


@step("22 create DAGs")
def _():
    new = [{"data_access_group_name": "New DAG", "unique_group_name": ""}]
    assert p.import_dags(new) == 1
    assert p.import_dags(new, return_format_type="csv") == "1"
    names = [d["unique_group_name"] for d in p.export_dags()]
    assert "new_dag" in names and "new_dagb" in names, names


@step("23 rename an unknown DAG")
def _():
    message = error_of(p.import_dags, [{"data_access_group_name": "X", "unique_group_name": "nope"}])
    assert message.startswith(
        'Unique group name "nope" does not exist in the project. NOTE: '), message


@step("24 delete DAGs, one unknown")
def _():
    message = error_of(p.delete_dags, ["new_dag", "nope"])
    assert message.endswith("DAGs that do not exist: nope"), message
    assert len(p.export_dags()) == 3


@step("25 delete a DAG, its sibling takes the name")
def _():
    assert p.delete_dags(["new_dag"]) == 1
    dags = {d["data_access_group_name"]: d["unique_group_name"] for d in p.export_dags()}
    assert dags["New DAG"] == "new_dag", dags


@step("26 delete the other DAG")
def _():
    assert p.delete_dags(["new_dag"]) == 1


@step("27 delete users")
def _():
    assert p.delete_users(["carol", "dave"]) == 2
    message = error_of(p.delete_users, ["carol"])
    assert message.endswith("Users that do not exist: carol"), message


@step("28 delete users, one unknown")
def _():
    error_of(p.delete_users, ["bob", "ghost"])
    assert user("bob") is not None


@step("29 switch to an unknown DAG (HTTP 200)")
def _():
    assert "ERROR: Invalid DAG" in error_of(p.switch_dag, "nope")
    raw = requests.post(URL, data={"token": INFO["token"], "content": "dag",
                                   "returnFormat": "csv", "action": "switch", "dag": "nope"})
    assert raw.status_code == 200 and raw.text == "ERROR: Invalid DAG", (raw.status_code, raw.text)


@step("30 switch into a DAG and back")
def _():
    assert p.switch_dag("test_dag") == "1"
    try:
        message = error_of(p.export_dags)
        assert "because you have been assigned to a Data Access Group" in message, message
    finally:
        assert p.switch_dag("") == "1"


@step("31 unknown token")
def _():
    try:
        Project(URL, "F" * 32).export_users()
    except RedcapError as e:
        assert e.args[0] == {"error": "You do not have permissions to use the API"}, e.args
    else:
        raise AssertionError("no error")


@step("32 restricted and expired tokens")
def _():
    message = error_of(Project(URL, INFO["restricted_token"]).export_users)
    assert message.startswith("Insufficient user privileges: ") and \
        "(Full Access or Read Only)" in message, message
    message = error_of(Project(URL, INFO["expired_token"]).export_users)
    assert "privileges have expired for this project as of" in message, message


@step("33 export_dags as a DataFrame")
def _():
    frame = p.export_dags(format_type="df")
    assert len(frame) == 1, frame


@step("raw: success status and Content-Type follow format")
def _():
    for fmt, ctype in [("json", "application/json"), ("csv", "text/csv"), ("xml", "text/xml")]:
        r = requests.post(URL, data={"token": INFO["token"], "content": "dag", "format": fmt})
        assert r.status_code == 200, r.status_code
        assert r.headers["Content-Type"] == f"{ctype}; charset=utf-8", r.headers
    r = requests.post(URL, data={"token": INFO["token"], "content": "user",
                                 "action": "delete", "users[0]": "ghost"})
    assert r.status_code == 400


@step("raw: errors wrapped per returnFormat")
def _():
    base = {"token": "F" * 32, "content": "user", "format": "json"}
    r = requests.post(URL, data=base)
    assert (r.status_code, r.text) == (403, '{"error":"You do not have permissions to use the API"}')
    r = requests.post(URL, data={**base, "returnFormat": "csv"})
    assert (r.status_code, r.text) == (403, "ERROR: You do not have permissions to use the API")
    assert r.headers["Content-Type"].startswith("text/csv")
    r = requests.post(URL, data={**base, "returnFormat": "xml"})
    assert r.status_code == 403 and r.text == (
        '<?xml version="1.0" encoding="UTF-8" ?><hash><error>'
        "You do not have permissions to use the API</error></hash>"), r.text


@step("raw: content=dag with data and no action is an export")
def _():
    r = requests.post(URL, data={"token": INFO["token"], "content": "dag", "format": "json",
                                 "data": '[{"data_access_group_name":"Z","unique_group_name":""}]'})
    assert r.status_code == 200
    assert [d["unique_group_name"] for d in r.json()] == ["test_dag"], r.text


print(f"{PASSES} passed, {len(FAILURES)} failed")
sys.exit(1 if FAILURES else 0)
