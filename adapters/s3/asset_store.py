"""Assets in an S3-compatible bucket: `<prefix>/<owner>/<asset_id>.<ext>` beside `<asset_id>.json`.

Built on obstore (Rust `object_store`), so it speaks to AWS S3 and to S3-compatible servers
(MinIO, Ceph, R2, moto, …) through `endpoint_url`.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING

import obstore
from obstore.exceptions import BaseError as ObstoreError
from obstore.store import S3Store

from imagestudio.adapters.asset_ids import checked_name
from imagestudio.adapters.local_files.asset_metadata import asset_from_json, asset_to_json
from imagestudio.domain.asset import Asset, AssetCursor, newest_first
from imagestudio.domain.media import MediaType

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig, S3Config

_METADATA_CONTENT_TYPE = "application/json"
_DESCRIPTION_EXTENSION = ".json"
_CONCURRENT_READS = 16
"""Descriptions a listing reads at once: one GET each, so a page costs one per owned asset."""

# obstore raises the built-in FileNotFoundError for a missing object (its NotFoundError is
# deprecated) and its own BaseError subclasses for everything else.


class S3AssetStoreError(OSError):
    """The bucket could not be reached or refused a request; the message names the object."""


class S3AssetStore:
    """The `AssetStore` port on an S3 bucket, one key prefix per owner.

    A PUT of one object is atomic. The bytes go first and the description last, so an asset
    whose description is missing does not exist, and a half-stored asset is never visible.
    Failures other than "no such object" raise `S3AssetStoreError` after the client's own
    retries (`max_retries` within `retry_timeout`); the caller decides whether to try again.

    `location` is synchronous in the port, so it reads the description with one blocking
    request (the bytes' key depends on the media type).
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        allow_http: bool = False,
        connect_timeout: timedelta = timedelta(seconds=5),
        request_timeout: timedelta = timedelta(seconds=60),
        max_retries: int = 3,
        retry_timeout: timedelta = timedelta(seconds=30),
    ) -> None:
        """A store on `bucket`; no request is made until the first operation.

        Unset `region`, `access_key_id` and `secret_access_key` come from the usual `AWS_*`
        environment variables (obstore reads them). `endpoint_url` is for S3-compatible
        servers; `allow_http` permits a plain-HTTP endpoint (loopback tests). Raises
        ValueError when the settings cannot make a store.
        """
        if not bucket or "/" in bucket:
            raise ValueError(f"S3 bucket {bucket!r} is not a bucket name")
        if (access_key_id is None) != (secret_access_key is None):
            raise ValueError("S3 access key id and secret access key go together")
        self._bucket = bucket
        self._prefix = _checked_prefix(prefix)
        self._endpoint = endpoint_url or "AWS S3"
        config: S3Config = {}
        if endpoint_url is not None:
            config["endpoint"] = endpoint_url
        if region is not None:
            config["region"] = region
        if access_key_id is not None and secret_access_key is not None:
            config["access_key_id"] = access_key_id
            config["secret_access_key"] = secret_access_key
        client: ClientConfig = {
            "allow_http": allow_http,
            "connect_timeout": connect_timeout,
            "timeout": request_timeout,
        }
        retry: RetryConfig = {"max_retries": max_retries, "retry_timeout": retry_timeout}
        try:
            self._store = S3Store(bucket, config=config, client_options=client, retry_config=retry)
        except ObstoreError as error:
            raise ValueError(f"S3 asset store settings: {_first_line(error)}") from error

    async def save(self, asset: Asset, data: bytes) -> None:
        bytes_key = self._key(asset.owner, asset.id, asset.media_type.extension)
        metadata_key = self._key(asset.owner, asset.id, "json")
        previous = await self._describe(asset.owner, asset.id)
        await self._put(bytes_key, data, asset.media_type.value)
        try:
            await self._put(metadata_key, asset_to_json(asset), _METADATA_CONTENT_TYPE)
        except BaseException:
            if previous is None or previous.media_type is not asset.media_type:
                await self._discard([bytes_key])  # nothing describes these new bytes
            raise
        if previous is not None and previous.media_type is not asset.media_type:
            stale = self._key(asset.owner, asset.id, previous.media_type.extension)
            await self._discard([stale])  # a leftover is invisible; delete() sweeps it too

    async def load(self, owner: str, asset_id: str) -> tuple[Asset, bytes] | None:
        asset = await self._describe(owner, asset_id)
        if asset is None:
            return None
        data = await self._get(self._key(owner, asset_id, asset.media_type.extension))
        return None if data is None else (asset, data)

    async def describe(self, owner: str, asset_id: str) -> Asset | None:
        return await self._describe(owner, asset_id)

    async def page(self, owner: str, *, after: AssetCursor | None, limit: int) -> tuple[Asset, ...]:
        owner_prefix = self._owner_prefix(owner)
        keys = await self._list(owner_prefix)
        descriptions = [
            key
            for key in keys
            if key.endswith(_DESCRIPTION_EXTENSION) and "/" not in key[len(owner_prefix) + 1 :]
        ]
        found = await self._all_listed(owner, descriptions, keys)
        return newest_first(
            (asset for asset in found if asset is not None), after=after, limit=limit
        )

    async def delete(self, owner: str, asset_id: str) -> bool:
        metadata_key = self._key(owner, asset_id, "json")
        existed = await self._exists(metadata_key)
        await self._delete([metadata_key])  # the asset is gone from here on
        await self._delete([self._key(owner, asset_id, media.extension) for media in MediaType])
        return existed

    def location(self, asset: Asset) -> str:
        return self._url(self._key(asset.owner, asset.id, asset.media_type.extension))

    def _url(self, key: str) -> str:
        return f"s3://{self._bucket}/{key}"

    async def _describe(self, owner: str, asset_id: str) -> Asset | None:
        text = await self._get(self._key(owner, asset_id, "json"))
        return None if text is None else self._owned(asset_from_json(text), owner, asset_id)

    async def _all_listed(
        self, owner: str, descriptions: list[str], keys: set[str]
    ) -> list[Asset | None]:
        """`_listed` for every description, a few at once; the first failure cancels the rest."""
        gate = asyncio.Semaphore(_CONCURRENT_READS)

        async def read(key: str) -> Asset | None:
            async with gate:
                return await self._listed(owner, key, keys)

        reads = [asyncio.ensure_future(read(key)) for key in descriptions]
        try:
            return await asyncio.gather(*reads)
        except BaseException:
            for pending in reads:
                pending.cancel()
            raise

    async def _listed(self, owner: str, key: str, keys: set[str]) -> Asset | None:
        """The asset a listed description describes, if `load` would find it; None otherwise."""
        asset_id = key.rpartition("/")[2].removesuffix(_DESCRIPTION_EXTENSION)
        text = await self._get(key)
        if text is None:
            return None  # deleted since the listing
        # A stray object is skipped rather than failing the whole listing: a description that is
        # unreadable or names another asset is not an asset, nor is one whose bytes are missing.
        try:
            asset = self._owned(asset_from_json(text), owner, asset_id)
            whole = (
                asset is not None and self._key(owner, asset_id, asset.media_type.extension) in keys
            )
        except ValueError:
            return None
        return asset if whole else None

    @staticmethod
    def _owned(asset: Asset, owner: str, asset_id: str) -> Asset | None:
        return asset if asset.owner == owner and asset.id == asset_id else None

    def _owner_prefix(self, owner: str) -> str:
        name = checked_name("owner", owner)
        return f"{self._prefix}/{name}" if self._prefix else name

    def _key(self, owner: str, asset_id: str, extension: str) -> str:
        return f"{self._owner_prefix(owner)}/{checked_name('asset id', asset_id)}.{extension}"

    async def _put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await obstore.put_async(
                self._store, key, data, attributes={"Content-Type": content_type}
            )
        except ObstoreError as error:
            raise self._failure("PUT", [key], error) from error

    async def _get(self, key: str) -> bytes | None:
        try:
            found = await obstore.get_async(self._store, key)
            return (await found.bytes_async()).to_bytes()
        except FileNotFoundError:
            return None
        except ObstoreError as error:
            raise self._failure("GET", [key], error) from error

    async def _list(self, prefix: str) -> set[str]:
        """Every key under `prefix` (a whole path segment), across all of the listing's pages."""
        try:
            listed = await obstore.list(self._store, f"{prefix}/").collect_async()
        except ObstoreError as error:
            raise self._failure("LIST", [f"{prefix}/"], error) from error
        return {meta["path"] for meta in listed}

    async def _exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self._store, key)
        except FileNotFoundError:
            return False
        except ObstoreError as error:
            raise self._failure("HEAD", [key], error) from error
        return True

    async def _delete(self, keys: list[str]) -> None:
        try:
            await obstore.delete_async(self._store, keys)
        except FileNotFoundError:
            pass  # some S3-compatible servers say so; gone is gone
        except ObstoreError as error:
            raise self._failure("DELETE", keys, error) from error

    async def _discard(self, keys: list[str]) -> None:
        """Best-effort clean-up while another error is on its way out."""
        with contextlib.suppress(Exception):
            await self._delete(keys)

    def _failure(self, verb: str, keys: list[str], error: ObstoreError) -> S3AssetStoreError:
        objects = ", ".join(self._url(key) for key in keys)
        return S3AssetStoreError(
            f"S3 {verb} {objects} at {self._endpoint} failed: {_first_line(error)}"
        )


def _checked_prefix(prefix: str) -> str:
    stripped = prefix.strip("/")
    if not stripped:
        return ""
    for segment in stripped.split("/"):
        checked_name("key prefix segment", segment)
    return stripped


def _first_line(error: BaseException) -> str:
    """obstore's messages carry a multi-line debug dump after the first line."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
