"""What schemathesis needs to know about the bridge beyond its OpenAPI document.

1. The formats `phone` and `phone-query`: JSON Schema cannot state the numbering plan, so the
   document names the format and describes it; here is how to write valid values.
2. Refusals no schema can state. The document lists them in its descriptions: a receipt's lines
   and payments adding up to its total, sellers and badges that exist in the till's list, a return
   that fits its sale, a shift that closes after it opens. A schema-valid request may be refused
   (422) for these and for nothing else: positive_data_acceptance is told 422 is expected
   (bridge-fuzz.toml), and the check below fails any 422 whose `code` is not one of these rules.
"""

import schemathesis
from hypothesis import strategies as st

# Russian mobile numbers: operator codes 900-999 except the unassigned 930.
_operator = st.integers(900, 999).filter(lambda code: code != 930).map(str)
_subscriber = st.from_regex(r"\A[0-9]{7}\Z")


def _spell(operator, subscriber, form):
    a, b, c = subscriber[:3], subscriber[3:5], subscriber[5:]
    return [
        f"+7{operator}{subscriber}",
        f"8 ({operator}) {a}-{b}-{c}",
        f"{operator}{subscriber}",
        f"+7 {operator} {a}-{b}-{c}",
        f"7{operator}{subscriber}",
    ][form]


_mobile = st.builds(_spell, _operator, _subscriber, st.integers(0, 4))
# Landlines and foreign numbers, each checked with `naparnik customers find`.
_other = st.sampled_from(["+7 495 123-45-67", "8 (812) 315-17-01", "+44 20 7946 0958", "+49 30 901820", "+375 29 123-45-67"])
PHONE = st.one_of(_mobile, _other)
PHONE_QUERY = st.one_of(st.from_regex(r"\A[0-9]{4,9}\Z"), PHONE)

schemathesis.openapi.format("phone", PHONE)
schemathesis.openapi.format("phone-query", PHONE_QUERY)

# The 422 codes of rules that depend on stored data or on several values at once.
RULES_NO_SCHEMA_STATES = {
    "lines_do_not_add_up",
    "payments_do_not_add_up",
    "duplicate_line",
    "unknown_seller",
    "unknown_badge",
    "seller_inactive",
    "too_many_sellers",
    "original_is_return",
    "unknown_line",
    "return_exceeds_sale",
    "return_sellers",
    "invalid_period",
}


@schemathesis.check
def refused_only_by_rules_no_schema_states(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    if code not in RULES_NO_SCHEMA_STATES:
        raise AssertionError(
            f"a schema-valid request was refused with 422 `{code}`: state that rule in the schema, "
            "or list it here if no schema can state it (and describe it in the document)"
        )
    return None
