"""What every handler can reach: the config and the services, built once at start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import asyncpg
from aiohttp import web

from api.auth import Auth
from api.cover_art import CoverArt
from api.party.service import PartyService
from api.player.service import PlayerService
from api.waveform import Waveforms
from cluster import Cluster, make_cluster
from ingest.analysis import AnalysisSettings
from ingest.enrich.enricher import Enricher
from ingest.service import ScanService
from recommend import Recommender, SimilarityIndex
from store.catalog import CatalogStore
from store.cluster import ClusterStore
from store.covers import CoverStore
from store.enrichment import EnrichmentStore
from store.favourites import FavouriteStore
from store.libraries import LibraryStore
from store.listens import ListenStore
from store.models import User
from store.parties import PartyStore
from store.playlists import PlaylistStore
from store.recommend import MixStore, RecommendStore
from store.scans import ScanStore
from store.settings import SettingsStore
from store.users import UserStore
from store.waveforms import WaveformStore
from tonearm.config import Config


@dataclass(frozen=True)
class Services:
    config: Config
    pool: asyncpg.Pool
    catalog: CatalogStore
    covers: CoverStore
    cover_art: CoverArt
    libraries: LibraryStore
    users: UserStore
    playlists: PlaylistStore
    favourites: FavouriteStore
    listens: ListenStore
    scans: ScanStore
    player: PlayerService
    parties: PartyService
    auth: Auth
    cluster: Cluster
    scanner: ScanService
    settings: SettingsStore
    waveforms: Waveforms
    recommender: Recommender

    @classmethod
    def build(cls, config: Config, pool: asyncpg.Pool) -> Services:
        catalog = CatalogStore(pool)
        users = UserStore(pool)
        cluster = make_cluster(config, ClusterStore(pool))
        recommend = RecommendStore(pool)
        recommender = Recommender(
            recommend,
            MixStore(pool),
            catalog,
            SimilarityIndex(recommend, refresh_interval=config.recommend_refresh_interval),
            mix_max_age=config.mix_refresh_interval,
            is_primary=lambda: cluster.view.is_primary,
        )
        player = PlayerService.build(pool, catalog, recommender)
        return cls(
            config=config,
            pool=pool,
            catalog=catalog,
            covers=CoverStore(pool),
            cover_art=CoverArt(CoverStore(pool), config),
            libraries=LibraryStore(pool),
            users=users,
            playlists=PlaylistStore(pool, catalog),
            favourites=FavouriteStore(pool, catalog),
            listens=ListenStore(pool),
            scans=ScanStore(pool),
            player=player,
            parties=PartyService(PartyStore(pool), player, catalog),
            auth=Auth(users),
            cluster=cluster,
            scanner=ScanService(
                pool,
                cluster,
                [str(p) for p in config.library],
                workers=config.scan_workers,
                interval=config.scan_interval,
                cluster_secret=config.cluster_secret,
                min_shard=config.scan_shard_files,
                enricher=enricher_factory(config, pool),
                analysis=AnalysisSettings(config.analysis_workers, config.analysis_shard_tracks)
                if config.analysis
                else None,
            ),
            settings=SettingsStore(pool),
            waveforms=Waveforms(WaveformStore(pool)),
            recommender=recommender,
        )


def enricher_factory(
    config: Config, pool: asyncpg.Pool
) -> Callable[[aiohttp.ClientSession], Enricher] | None:
    if not config.enrichment:
        return None

    def make(session: aiohttp.ClientSession) -> Enricher:
        return Enricher(
            EnrichmentStore(pool),
            session,
            base_url=config.musicbrainz_url,
            coverart_url=config.coverart_url,
            contact=config.musicbrainz_contact,
            rate=config.musicbrainz_rate,
        )

    return make


SERVICES = web.AppKey("services", Services)


def services(request: web.Request) -> Services:
    return request.app[SERVICES]


USER = web.RequestKey("user", User)


def current_user(request: web.Request) -> User:
    """The signed-in user (the auth middleware has set it on every non-public route)."""
    return request[USER]
