import json, time, logging
import pytest
from django.test import Client

def frag_doc(n):
    parts = ["query{...F0}"]
    for i in range(n):
        parts.append(f"fragment F{i} on Query{{plans{{slug}} ...F{i+1} ...F{i+1}}}")
    parts.append(f"fragment F{n} on Query{{plans{{slug}}}}")
    return " ".join(parts)

def test_probe(db, caplog):
    caplog.set_level(logging.DEBUG)
    c = Client()
    for n in (10, 14, 16):
        t = time.monotonic()
        r = c.post("/graphql/", data=json.dumps({"query": frag_doc(n)}), content_type="application/json")
        print(n, time.monotonic() - t, r.status_code, r.content[:200])
    for body in [b"null", b'"x"', b"5", b"true", b"\xff\xfe{", b'{"query": "{ me { id } }"}']:
        try:
            r = c.post("/graphql/", data=body, content_type="application/json")
            print(body, r.status_code, r.content[:200])
        except Exception as e:
            print(body, "EXC", repr(e))
    r = c.post("/graphql/", data=json.dumps({"query": '{ articles(after: "zzz") { edges { node { slug } } } }'}), content_type="application/json")
    print("cursor", r.content[:300])
    r = c.post("/graphql/", data=json.dumps({"query": '{ articles(first: -1) { edges { node { slug } } } }'}), content_type="application/json")
    print("first", r.content[:300])
    r = c.post("/graphql/", data=json.dumps({"query": '{ articles(first: 99999999999) { edges { node { slug } } } }'}), content_type="application/json")
    print("first huge", r.content[:300])
    r = c.post("/graphql/", data=json.dumps({"query": 'query A { me { id } } query B { plans { slug } }'}), content_type="application/json")
    print("multi", r.content[:300])
    r = c.get("/graphql/", {"query": 'query A { me { id } } query B { plans { slug } }'})
    print("multi get", r.status_code, r.content[:300])
    r = c.post("/graphql", data=json.dumps({"query": '{ me { id } }'}), content_type="application/json")
    print("slashless", r.status_code, r.content[:300])
    r = c.post("/graphql/", data=json.dumps({"query": '{ me { id } }'}), content_type="application/json", headers={"Host": "evil.com"})
    print("host", r.status_code, r.content[:300])
    r = c.post("/graphql/", data=json.dumps({"query": 'mutation { login(input: {email: "a@b.co", passwrd: "hunter2secret"}) { ok } }'}), content_type="application/json")
    print("login typo", r.status_code, r.content[:300])
    for rec in caplog.records:
        print("LOG", rec.levelname, rec.name, rec.getMessage()[:300])
