"""A FastAPI service over custtier: the recipe of docs/service.md, run by tests/test_workflows_notebook.py.

Run it with ``uvicorn service_app:app`` (from this folder). Three rules keep
it safe: requests are validated by custtier's models, and any validation
error is answered with custtier's safe error list (FastAPI's own 422 echoes
the input: a birth date, an amount, a name); custtier's own errors become a
422 the same way; every decision is logged as its self-describing audit
record, never the request.
"""

import datetime as dt
import logging
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from custtier import (
    AllocationDecision,
    Customer,
    Decision,
    Product,
    SuitabilityDecision,
    TierDecision,
    allocate,
    assign_tier,
    check_suitability,
    presets,
)
from custtier.errors import CusttierError, RecordValidationError, safe_errors

PLAYBOOK = presets.PRACTICE
#: An amount in a request: a decimal string (what custtier's own models also take).
AMOUNT = r"^[0-9]+(\.[0-9]+)?$"
D = TypeVar("D", bound=Decision)
audit = logging.getLogger("custtier.audit")
app = FastAPI(title="custtier service", version="1")


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # exc.errors() holds the raw input whatever the model config says: never return it.
    return JSONResponse(status_code=422, content={"detail": safe_errors(exc.errors())})


@app.exception_handler(CusttierError)
async def custtier_error(request: Request, exc: CusttierError) -> JSONResponse:
    # custtier's messages name the field and never the value.
    if isinstance(exc, RecordValidationError):
        detail = exc.errors()
    else:
        field = getattr(exc, "field", None)
        detail = [{"loc": [field] if field else [], "type": type(exc).__name__, "msg": str(exc)}]
    return JSONResponse(status_code=422, content={"detail": detail})


class SaleRequest(BaseModel):
    """A proposed sale: the customer, the product, the amount and the tier."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    customer: Customer
    product: Product
    amount: str | None = Field(default=None, pattern=AMOUNT)
    tier: str | None = None


class AllocationRequest(BaseModel):
    """An amount to spread over the catalogue for one customer."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    customer: Customer
    amount: str = Field(pattern=AMOUNT)
    catalogue: list[Product]
    tier: str | None = None


def _logged(decision: D) -> D:
    audit.info(decision.to_audit_json())
    return decision


@app.post("/tier", response_model=TierDecision)
def tier(customer: Customer, as_of: dt.date) -> TierDecision:
    """The customer's tier on ``as_of`` (the service never reads the clock for a decision)."""
    return _logged(assign_tier(customer, PLAYBOOK, as_of=as_of))


@app.post("/suitability", response_model=SuitabilityDecision)
def suitability(sale: SaleRequest, as_of: dt.date) -> SuitabilityDecision:
    """Whether the sale is allowed, with its reasons."""
    decision = check_suitability(
        sale.customer, sale.product, PLAYBOOK, as_of=as_of, amount=sale.amount, tier=sale.tier
    )
    return _logged(decision)


@app.post("/allocate", response_model=AllocationDecision)
def allocation(request: AllocationRequest, as_of: dt.date) -> AllocationDecision:
    """How the amount is spread; lines and unplaced sum to it exactly."""
    decision = allocate(
        request.customer,
        request.amount,
        request.catalogue,
        PLAYBOOK,
        as_of=as_of,
        tier=request.tier,
    )
    return _logged(decision)
