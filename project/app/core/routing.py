"""Routes whose request handling is planned once, at start-up, instead of on every request.

FastAPI reads a route's parameters, validates them and calls its dependencies through code
that works out, for every request, what each parameter is (a sequence? a model? which alias?)
and wraps the call in exit stacks for dependencies that might be generators. Measured on
``GET /songs/{id}`` with the database taken out, that bookkeeping was 60 of 85 µs per request.

:class:`PlannedRoute` is an ``APIRoute`` (the same declaration, OpenAPI and validation): for a
route whose parameters are path, query and header values or query models, whose dependencies
are plain ``async def`` functions of the same kind, and whose endpoint answers with a
``Response``, it plans the work once and then, per request, only reads and validates the values
with FastAPI's own validators, calls the dependencies (cached per request, as FastAPI does) and
the endpoint, in FastAPI's order, raising the same ``RequestValidationError``. Any other route
(a body, a generator dependency, security scopes) keeps FastAPI's handler, and so does every
route while ``app.dependency_overrides`` is in use.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi import params as fastapi_params
from fastapi._compat import ModelField, Undefined, get_cached_model_fields
from fastapi._compat.shared import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import (
    _get_multidict_extras,
    _get_param_aliases,
    _get_param_model,
    _is_json_field,
    _request_param_model_to_args,
    _validate_value_with_model_field,
)
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, _effective_route_context_var
from pydantic import BaseModel
from starlette.datastructures import Headers, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send


def _is_sequence(field: ModelField) -> bool:
    return not _is_json_field(field) and field_annotation_is_sequence(field.field_info.annotation)


def _read(received: Any, key: str, sequence: bool) -> Any:
    """A value as FastAPI reads it: a list for sequences, ``Undefined`` when absent or empty."""
    if sequence and isinstance(received, ImmutableMultiDict | Headers):
        return received.getlist(key) or Undefined
    value = received.get(key, None)
    return Undefined if value is None else value


@dataclass(frozen=True, slots=True)
class _QueryModel:
    """A query parameter model (``Annotated[Model, Query()]``), read as FastAPI reads one."""

    # Per field of the model: its (validation alias, request key) choices, and whether it is a list.
    fields: tuple[tuple[tuple[tuple[str, str], ...], bool], ...]
    keys: frozenset[str]  # every request key the model's fields take
    whole_model: bool  # the parameter is the model itself (not Optional[Model] ...)
    judges_extras: bool  # extra="allow" or "forbid": a query of extras alone is still validated

    @classmethod
    def of(cls, field: ModelField, model: type[BaseModel]) -> _QueryModel:
        fields = tuple(
            (tuple(_get_param_aliases(model_field)), _is_sequence(model_field))
            for model_field in get_cached_model_fields(model)
        )
        keys = frozenset(key for pairs, _ in fields for _, key in pairs)
        whole_model = field.field_info.annotation is model
        judges_extras = model.model_config.get("extra") in ("allow", "forbid")
        return cls(fields, keys, whole_model, judges_extras)

    def value(self, received: Any) -> Any:
        given: dict[str, Any] = {}
        if received:  # most requests send few parameters of many: look only at those sent
            taken: set[str] = set()
            for pairs, sequence in self.fields:
                for alias, key in pairs:  # the first of a field's names that was sent
                    if key in received:
                        value = _read(received, key, sequence)
                        if value is not Undefined:
                            given[alias] = value
                        taken.add(key)
                        break
            # Whatever no field took goes to the model too: its extra policy judges it.
            given.update(_get_multidict_extras(received, taken))
        if not self.whole_model and not (self.keys.intersection(received) or (self.judges_extras and given)):
            return Undefined
        return given


@dataclass(frozen=True, slots=True)
class _Parameter:
    """How to read one path, query or header value, worked out once."""

    field: ModelField
    location: str  # "path", "query" or "header": where it is read and how errors name it
    aliases: tuple[str, ...]
    sequence: bool
    model: type[BaseModel] | None  # a query or header model (all its fields at once)
    query_model: _QueryModel | None
    absent: Any  # the value when not sent, if that needs no work (an immutable default)

    @classmethod
    def of(cls, field: ModelField) -> _Parameter:
        info = field.field_info
        assert isinstance(info, fastapi_params.Param)
        aliases = tuple(alias for _, alias in _get_param_aliases(field))
        model = _get_param_model(field)
        query_model = (
            _QueryModel.of(field, model)
            if model is not None and isinstance(info, fastapi_params.Query)
            else None
        )
        immutable = info.default is None or isinstance(info.default, bool | int | float | str | bytes)
        plain_default = not info.is_required() and not info.validate_default and immutable
        absent = info.default if plain_default else Undefined
        return cls(field, info.in_.value, aliases, _is_sequence(field), model, query_model, absent)

    def read(self, received: Any, values: dict[str, Any]) -> tuple[Any, list[Any]]:
        if self.query_model is not None:
            value = self.query_model.value(received)
            return _validate_value_with_model_field(
                field=self.field, value=value, values={}, loc=(self.location,)
            )
        if self.model is not None:  # a header model: FastAPI's own reading
            return _request_param_model_to_args(self.field, self.model, received)
        alias = next((alias for alias in self.aliases if alias in received), self.aliases[0])
        value = _read(received, alias, self.sequence)
        if value is Undefined and self.absent is not Undefined:
            return self.absent, []  # what FastAPI would answer: the default, unvalidated
        return _validate_value_with_model_field(
            field=self.field, value=value, values=values, loc=(self.location, alias)
        )


@dataclass(frozen=True, slots=True)
class _Plan:
    """A dependant (an endpoint or a dependency): what it needs, in FastAPI's order."""

    call: Callable[..., Coroutine[Any, Any, Any]]
    name: str | None
    use_cache: bool
    dependencies: tuple[_Plan, ...]
    path: tuple[_Parameter, ...]
    query: tuple[_Parameter, ...]
    headers: tuple[_Parameter, ...]
    request_name: str | None

    async def solve(self, request: Request, cache: dict[Any, Any]) -> tuple[dict[str, Any], list[Any]]:
        """The call's arguments, or the validation errors that keep it from being called."""
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for dependency in self.dependencies:
            if dependency.use_cache and dependency.call in cache:
                if dependency.name is not None:  # unnamed: run for its effect, not an argument
                    values[dependency.name] = cache[dependency.call]
                continue
            arguments, failed = await dependency.solve(request, cache)
            if failed:
                errors.extend(failed)
                continue
            result = await dependency.call(**arguments)
            cache.setdefault(dependency.call, result)
            if dependency.name is not None:
                values[dependency.name] = result
        for parameters, received in (
            (self.path, request.path_params),
            (self.query, request.query_params if self.query else None),
            (self.headers, request.headers if self.headers else None),
        ):
            for parameter in parameters:
                value, failed = parameter.read(received, values)
                if failed:
                    errors.extend(failed)
                else:
                    values[parameter.field.name] = value
        if self.request_name is not None:
            values[self.request_name] = request
        return values, errors


def _plan(dependant: Dependant) -> _Plan | None:
    """The plan of ``dependant``, or None when it needs more than plans cover."""
    call = dependant.call
    unsupported = (
        dependant.body_params
        or dependant.cookie_params
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.own_oauth_scopes
        or dependant.concurrency is not None
        or not inspect.iscoroutinefunction(call)
    )
    if unsupported or call is None:
        return None
    dependencies = tuple(_plan(dependency) for dependency in dependant.dependencies)
    if any(plan is None for plan in dependencies):
        return None
    return _Plan(
        call=call,
        name=dependant.name,
        use_cache=dependant.use_cache,
        dependencies=typing.cast(tuple[_Plan, ...], dependencies),
        path=tuple(_Parameter.of(field) for field in dependant.path_params),
        query=tuple(_Parameter.of(field) for field in dependant.query_params),
        headers=tuple(_Parameter.of(field) for field in dependant.header_params),
        request_name=dependant.request_param_name,
    )


def _answers_with_response(endpoint: Callable[..., Any]) -> bool:
    try:
        returned = typing.get_type_hints(endpoint).get("return")
    except (NameError, TypeError):
        return False
    return isinstance(returned, type) and issubclass(returned, Response)


class PlannedRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        handler = self._planned_handler(self)
        if handler is not None:
            # Added to an app directly, a route answers through self.app: FastAPI's wrapper
            # there opens two exit stacks per request for generator dependencies and a body
            # limit for bodies, neither of which a planned route has.
            self.app = _asgi_app(
                handler, fastapi_app=self.app, overrides_provider=self.dependency_overrides_provider
            )

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # The route as FastAPI builds it here: itself, or its copy in an included router
        # (which may add the router's dependencies); FastAPI names it the same way.
        context = _effective_route_context_var.get()
        route: Any = context if context is not None and context.original_route is self else self
        return self._planned_handler(route) or super().get_route_handler()

    def _planned_handler(self, route: Any) -> Callable[[Request], Coroutine[Any, Any, Response]] | None:
        plan = _plan(route.dependant) if _answers_with_response(self.endpoint) else None
        if plan is None:
            return None
        fastapi_handler = super().get_route_handler()
        overrides_provider = route.dependency_overrides_provider

        async def handler(request: Request) -> Response:
            if overrides_provider is not None and getattr(overrides_provider, "dependency_overrides", None):
                return await fastapi_handler(request)  # overrides: FastAPI resolves them
            values, errors = await plan.solve(request, {})
            if errors:
                raise RequestValidationError(errors)
            response: Response = await plan.call(**values)
            return response

        return handler


def _asgi_app(
    handler: Callable[[Request], Coroutine[Any, Any, Response]],
    *,
    fastapi_app: ASGIApp,
    overrides_provider: Any,
) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if overrides_provider is not None and getattr(overrides_provider, "dependency_overrides", None):
            await fastapi_app(scope, receive, send)  # overrides: FastAPI resolves them
            return
        response = await handler(Request(scope, receive, send))
        await response(scope, receive, send)

    return app


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """Add ``router``'s routes to the app's own route list, as FastAPI's ``include_router`` once did.

    FastAPI now keeps included routers as a tree of contexts and matches a request through it
    in three passes (14 of 85 us of ``GET /songs/{id}``, measured). Added to the app itself,
    the routes are matched in one pass, and each is bound to the app for
    ``dependency_overrides``. Only plain routers are flattened: no router-level dependencies,
    responses or callbacks, whose merging is ``include_router``'s job.
    """
    if router.dependencies or router.responses or router.callbacks:
        raise ValueError("a router with its own dependencies, responses or callbacks: use include_router")
    for route in router.routes:
        assert isinstance(route, APIRoute), route
        app.router.add_api_route(
            route.path, route.endpoint, response_model=route.response_model, status_code=route.status_code,
            tags=route.tags, dependencies=route.dependencies, summary=route.summary,
            description=route.description, response_description=route.response_description,
            responses=route.responses, deprecated=route.deprecated, methods=route.methods,
            operation_id=route.operation_id, response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema, response_class=route.response_class,
            name=route.name, route_class_override=type(route), callbacks=route.callbacks,
            openapi_extra=route.openapi_extra, generate_unique_id_function=route.generate_unique_id_function,
        )  # fmt: skip
