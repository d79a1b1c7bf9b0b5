import pytest
from openapi_spec_validator import validate

from jobstream_ingest.intake import Limits
from jobstream_ingest.openapi import openapi_document

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("token_required", [False, True])
def test_the_openapi_document_is_valid(token_required: bool) -> None:
    document = openapi_document(Limits(), token_required)
    validate(document)  # raises on an invalid document
    post = document["paths"]["/postings"]["post"]
    assert set(post["responses"]) == {"202", "400", "401", "413", "415", "503"}
    assert ("security" in post) is token_required
    assert "10,485,760 bytes" in post["description"]
