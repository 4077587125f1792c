import { ActionIcon, Group, Menu, Slider, Text, Tooltip } from '@mantine/core';
import {
  IconArrowsShuffle,
  IconCheck,
  IconPlayerPauseFilled,
  IconPlayerPlayFilled,
  IconPlayerSkipBackFilled,
  IconPlayerSkipForwardFilled,
  IconPlaylist,
  IconRepeat,
  IconRepeatOnce,
  IconUsersGroup,
  IconVolume,
  IconVolume2,
  IconVolume3,
  IconWaveSine,
} from '@tabler/icons-react';
import { useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { formatTime } from '../lib/format';
import { attempt } from '../lib/notify';
import { useParty } from '../stores/party';
import { NEXT_REPEAT, usePlayer } from '../stores/player';
import { useSettings } from '../stores/settings';
import { useUi } from '../stores/ui';
import { VISUALIZERS } from '../visualizers/registry';
import { Cover } from './Cover';
import { FavouriteButton } from './FavouriteButton';
import { hostAway, PartyMenu } from './PartyMenu';
import classes from './PlayerBar.module.css';

const ICON = 20;

/** Whose music this is, in a listen party: the host's, followed here, or ours, shared. */
function PartyLine() {
  const party = useParty((s) => s.party);
  const blocked = usePlayer((s) => s.followBlocked);
  if (!party) return null;
  const others = party.members.length - 1;
  return (
    <Text size="xs" c="tonearm" truncate="end" data-testid={party.you_are_host ? 'hosting' : 'following-host'}>
      <IconUsersGroup size={12} style={{ verticalAlign: -2, marginRight: 4 }} />
      {party.you_are_host
        ? `Hosting · ${others} ${others === 1 ? 'listener' : 'listeners'}`
        : `Following ${party.host.name ?? 'the host'}${hostAway(party) ? ' (away)' : ''}${blocked ? ' — press play to listen' : ''}`}
    </Text>
  );
}

function NowPlaying() {
  const track = usePlayer((s) => s.track);
  if (!track) {
    return (
      <div className={classes.now}>
        <div className={classes.nowText}>
          <Text size="sm" c="dimmed">
            Nothing playing
          </Text>
          <PartyLine />
        </div>
      </div>
    );
  }
  return (
    <div className={classes.now}>
      <Link to={`/albums/${track.album_id}`} className={classes.art} aria-label={track.album}>
        <Cover coverId={track.cover_id} alt="" size={64} radius={6} />
      </Link>
      <div className={classes.nowText}>
        <Text size="sm" fw={600} truncate="end" data-testid="now-title">
          {track.title}
        </Text>
        <Text size="xs" c="dimmed" truncate="end">
          {track.artists[0] ? (
            <Link className={classes.sublink} to={`/artists/${track.artists[0].id}`}>
              {track.artist}
            </Link>
          ) : (
            track.artist
          )}
        </Text>
        <PartyLine />
      </div>
      <FavouriteButton
        kind="tracks"
        id={track.id}
        flag={track.favourite}
        name={track.title}
        size={32}
        iconSize={18}
        className={classes.heart}
        testId="favourite-track"
      />
    </div>
  );
}

function Seek() {
  const currentTime = usePlayer((s) => s.currentTime);
  const duration = usePlayer((s) => s.duration || s.track?.duration || 0);
  const hasTrack = usePlayer((s) => s.track !== null);
  const following = usePlayer((s) => s.following);
  const [dragging, setDragging] = useState<number | null>(null);
  const shown = dragging ?? currentTime;
  return (
    <div className={classes.seekRow}>
      <Text className={classes.time} size="xs" c="dimmed" ta="right">
        {formatTime(shown)}
      </Text>
      <Slider
        className={classes.seek}
        thumbLabel="Seek"
        size="sm"
        min={0}
        max={Math.max(duration, 0.001)}
        step={0.1}
        value={Math.min(shown, duration || 0)}
        disabled={!hasTrack || following}
        label={(v) => formatTime(v)}
        onChange={setDragging}
        onChangeEnd={(v) => {
          setDragging(null);
          usePlayer.getState().seek(v);
        }}
        thumbSize={12}
      />
      <Text className={classes.time} size="xs" c="dimmed">
        {formatTime(duration)}
      </Text>
    </div>
  );
}

function Controls() {
  const playing = usePlayer((s) => s.playing);
  const shuffle = usePlayer((s) => s.state?.shuffle ?? false);
  const repeat = usePlayer((s) => s.state?.repeat ?? 'off');
  // A member's controls are the host's: only "play" (to start audio the browser held back).
  const following = usePlayer((s) => s.following);
  const player = usePlayer.getState;
  return (
    <div className={classes.center}>
      <div className={classes.buttons}>
        <Tooltip label={shuffle ? 'Shuffle on' : 'Shuffle off'}>
          <ActionIcon
            size={36}
            aria-label="Shuffle"
            aria-pressed={shuffle}
            disabled={following}
            color={shuffle ? 'tonearm' : 'gray'}
            onClick={() => attempt(() => player().setShuffle(!shuffle))}
          >
            <IconArrowsShuffle size={ICON} />
          </ActionIcon>
        </Tooltip>
        <ActionIcon size={36} aria-label="Previous" disabled={following} onClick={() => attempt(() => player().previous())}>
          <IconPlayerSkipBackFilled size={ICON} />
        </ActionIcon>
        <ActionIcon
          size={40}
          radius="xl"
          variant="filled"
          color="dark"
          className={classes.play}
          aria-label={playing ? 'Pause' : 'Play'}
          data-testid="play-pause"
          onClick={() => attempt(() => player().togglePlay())}
        >
          {playing ? <IconPlayerPauseFilled size={ICON} /> : <IconPlayerPlayFilled size={ICON} />}
        </ActionIcon>
        <ActionIcon size={36} aria-label="Next" disabled={following} onClick={() => attempt(() => player().next())}>
          <IconPlayerSkipForwardFilled size={ICON} />
        </ActionIcon>
        <Tooltip label={`Repeat ${repeat}`}>
          <ActionIcon
            size={36}
            aria-label={`Repeat ${repeat}`}
            aria-pressed={repeat !== 'off'}
            disabled={following}
            color={repeat !== 'off' ? 'tonearm' : 'gray'}
            onClick={() => attempt(() => player().setRepeat(NEXT_REPEAT[repeat]))}
          >
            {repeat === 'one' ? <IconRepeatOnce size={ICON} /> : <IconRepeat size={ICON} />}
          </ActionIcon>
        </Tooltip>
      </div>
      <Seek />
    </div>
  );
}

function Volume() {
  const volume = useSettings((s) => s.settings.volume);
  const update = useSettings((s) => s.update);
  const before = useRef(volume || 50);
  const Icon = volume === 0 ? IconVolume3 : volume < 50 ? IconVolume2 : IconVolume;
  return (
    <Group
      gap={6}
      wrap="nowrap"
      className={classes.volume}
      onWheel={(e) => update({ volume: Math.max(0, Math.min(100, volume + (e.deltaY < 0 ? 5 : -5))) })}
    >
      <ActionIcon
        size={36}
        aria-label={volume === 0 ? 'Unmute' : 'Mute'}
        onClick={() => {
          if (volume > 0) {
            before.current = volume;
            update({ volume: 0 });
          } else update({ volume: before.current || 50 });
        }}
      >
        <Icon size={ICON} />
      </ActionIcon>
      <Slider
        className={classes.volumeSlider}
        thumbLabel="Volume"
        data-testid="volume"
        size="sm"
        min={0}
        max={100}
        value={volume}
        onChange={(v) => update({ volume: v })}
        label={(v) => `${v}%`}
        thumbSize={12}
      />
    </Group>
  );
}

function VisualizerMenu() {
  const layouts = useSettings((s) => s.settings.visualizers);
  const setWidget = useSettings((s) => s.setWidget);
  const anyOn = VISUALIZERS.some((v) => layouts[v.id]?.visible);
  return (
    <Menu position="top-end" shadow="md" width={200} withinPortal>
      <Menu.Target>
        <Tooltip label="Visualizers">
          <ActionIcon size={36} aria-label="Visualizers" data-testid="visualizer-menu" color={anyOn ? 'tonearm' : 'gray'}>
            <IconWaveSine size={ICON} />
          </ActionIcon>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Visualizers</Menu.Label>
        {VISUALIZERS.map((v) => {
          const on = Boolean(layouts[v.id]?.visible);
          return (
            <Menu.Item
              key={v.id}
              data-testid={`toggle-${v.id}`}
              closeMenuOnClick={false}
              rightSection={on ? <IconCheck size={16} /> : null}
              onClick={() => setWidget(v.id, { visible: !on })}
            >
              {v.name}
            </Menu.Item>
          );
        })}
      </Menu.Dropdown>
    </Menu>
  );
}

export function PlayerBar() {
  const queueOpen = useUi((s) => s.queueOpen);
  const toggleQueue = useUi((s) => s.toggleQueue);
  const queued = usePlayer((s) => s.state?.queue.length ?? 0);
  return (
    <div className={classes.bar} data-testid="player-bar">
      <NowPlaying />
      <Controls />
      <div className={classes.right}>
        <PartyMenu />
        <VisualizerMenu />
        <Tooltip label="Queue">
          <ActionIcon
            size={36}
            aria-label="Queue"
            aria-pressed={queueOpen}
            data-testid="queue-toggle"
            color={queueOpen ? 'tonearm' : 'gray'}
            onClick={toggleQueue}
            className={classes.queueBtn}
            data-count={queued || undefined}
          >
            <IconPlaylist size={ICON} />
          </ActionIcon>
        </Tooltip>
        <Volume />
      </div>
    </div>
  );
}
