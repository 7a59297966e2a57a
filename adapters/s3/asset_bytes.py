"""Asset bytes in an S3-compatible bucket: `<prefix>/<owner>/<asset_id>.<extension>`.

Built on obstore (Rust `object_store`), so it speaks to AWS S3 and to S3-compatible servers
(MinIO, Ceph, R2, moto, …) through `endpoint_url`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

import obstore
from obstore.exceptions import BaseError as ObstoreError
from obstore.store import S3Store

from imagestudio.adapters.asset_ids import checked_name
from imagestudio.adapters.asset_keys import AssetKey
from imagestudio.application.ports.asset_bytes import StoredBytes
from imagestudio.domain.media import MediaType

if TYPE_CHECKING:
    from obstore import ObjectMeta
    from obstore.store import ClientConfig, RetryConfig, S3Config

_LISTING_PAGE = 1000
"""Objects an inventory holds at once: S3's own page size."""

# obstore raises the built-in FileNotFoundError for a missing object (its NotFoundError is
# deprecated) and its own BaseError subclasses for everything else.


class S3AssetStoreError(OSError):
    """The bucket could not be reached or refused a request; the message names the object."""


class S3AssetBytes:
    """The `AssetBytes` port on an S3 bucket, one key prefix per owner.

    Each object is written by one PUT (never a multipart upload), which S3 makes atomic.
    Failures other than "no such object" raise `S3AssetStoreError` after the client's own
    retries (`max_retries` within `retry_timeout`); the caller decides whether to try again.
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
        """Bytes in `bucket`; no request is made until the first operation.

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

    async def put(self, owner: str, asset_id: str, media_type: MediaType, data: bytes) -> None:
        await self._put(self._key(owner, asset_id, media_type), media_type, data)

    async def get(self, owner: str, asset_id: str, media_type: MediaType) -> bytes | None:
        return await self._get(self._key(owner, asset_id, media_type))

    async def remove(self, owner: str, asset_id: str, media_type: MediaType) -> bool:
        return await self._remove(self._key(owner, asset_id, media_type))

    async def put_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType, data: bytes
    ) -> None:
        await self._put(self._key(owner, asset_id, media_type, size), media_type, data)

    async def get_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bytes | None:
        return await self._get(self._key(owner, asset_id, media_type, size))

    async def remove_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bool:
        return await self._remove(self._key(owner, asset_id, media_type, size))

    async def _put(self, key: str, media_type: MediaType, data: bytes) -> None:
        try:
            await obstore.put_async(
                self._store,
                key,
                data,
                attributes={"Content-Type": media_type.value},
                use_multipart=False,
            )
        except (ObstoreError, FileNotFoundError) as error:
            # A PUT finds nothing missing but the bucket itself.
            raise self._failure("PUT", key, error) from error

    async def _get(self, key: str) -> bytes | None:
        try:
            found = await obstore.get_async(self._store, key)
            return (await found.bytes_async()).to_bytes()
        except FileNotFoundError as error:
            if _no_such_bucket(error):
                raise self._failure("GET", key, error) from error
            return None
        except ObstoreError as error:
            raise self._failure("GET", key, error) from error

    async def _remove(self, key: str) -> bool:
        # S3 answers a DELETE alike whether the object was there or not: ask first. (A HEAD's
        # reply has no body, so a missing bucket looks like a missing object here: nothing to
        # remove either way.)
        try:
            await obstore.head_async(self._store, key)
        except FileNotFoundError:
            return False
        except ObstoreError as error:
            raise self._failure("HEAD", key, error) from error
        try:
            await obstore.delete_async(self._store, key)
        except FileNotFoundError as error:
            # Some S3-compatible servers say so of an object gone meanwhile: gone is gone.
            if _no_such_bucket(error):
                raise self._failure("DELETE", key, error) from error
        except ObstoreError as error:
            raise self._failure("DELETE", key, error) from error
        return True

    async def inventory(self) -> AsyncIterator[StoredBytes]:
        pages = obstore.list(self._store, self._prefix or None, chunk_size=_LISTING_PAGE)
        while True:
            try:
                page = await anext(pages)
            except StopAsyncIteration:
                return
            except ObstoreError as error:
                raise self._failure(
                    "LIST", f"{self._prefix}/" if self._prefix else "", error
                ) from error
            for meta in page:
                if (stored := self._stored(meta)) is not None:
                    yield stored

    def location(self, owner: str, asset_id: str, media_type: MediaType) -> str:
        return self._url(self._key(owner, asset_id, media_type))

    def _key(
        self, owner: str, asset_id: str, media_type: MediaType, thumbnail: int | None = None
    ) -> str:
        path = AssetKey(owner, asset_id, media_type, thumbnail).path
        return f"{self._prefix}/{path}" if self._prefix else path

    def _stored(self, meta: ObjectMeta) -> StoredBytes | None:
        path = meta["path"]
        if self._prefix:
            inside, slash, path = path.partition(f"{self._prefix}/")
            if inside or not slash:
                return None
        key = AssetKey.parsed(path)
        if key is None:
            return None
        modified_at = meta["last_modified"]
        return StoredBytes(
            owner=key.owner,
            asset_id=key.asset_id,
            media_type=key.media_type,
            size_bytes=meta["size"],
            modified_at=(
                modified_at.replace(tzinfo=UTC)
                if modified_at.tzinfo is None
                else modified_at.astimezone(UTC)
            ),
            thumbnail=key.thumbnail,
        )

    def _url(self, key: str) -> str:
        return f"s3://{self._bucket}/{key}"

    def _failure(self, verb: str, key: str, error: Exception) -> S3AssetStoreError:
        return S3AssetStoreError(
            f"S3 {verb} {self._url(key)} at {self._endpoint} failed: {_first_line(error)}"
        )


def _checked_prefix(prefix: str) -> str:
    stripped = prefix.strip("/")
    if not stripped:
        return ""
    for segment in stripped.split("/"):
        checked_name("key prefix segment", segment)
    return stripped


def _no_such_bucket(error: FileNotFoundError) -> bool:
    """obstore reports a missing bucket as a missing object; S3's error body tells them apart."""
    return "NoSuchBucket" in str(error)


def _first_line(error: BaseException) -> str:
    """obstore's messages carry a multi-line debug dump after the first line."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
