using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>A track a participant publishes (subscribed or not).</summary>
public sealed class TrackPublication
{
    private readonly FfiHandle _handle;

    internal TrackPublication(OwnedTrackPublication owned)
    {
        _handle = FfiHandle.Own(owned.Handle);
        TrackPublicationInfo info = owned.Info;
        Sid = info.Sid;
        Name = info.Name;
        Kind = (TrackKind)info.Kind;
        Source = (TrackSource)info.Source;
        MimeType = info.MimeType;
        Width = (int)info.Width;
        Height = (int)info.Height;
        Muted = info.Muted;
    }

    /// <summary>The track's server id.</summary>
    public string Sid { get; }

    /// <summary>The name the publisher gave it.</summary>
    public string Name { get; }

    /// <summary>Audio or video.</summary>
    public TrackKind Kind { get; }

    /// <summary>Camera, microphone, screen share…</summary>
    public TrackSource Source { get; }

    /// <summary>Codec MIME type, e.g. <c>video/VP8</c>, when the server says.</summary>
    public string MimeType { get; }

    /// <summary>Published width in pixels (video), 0 if unknown.</summary>
    public int Width { get; }

    /// <summary>Published height in pixels (video), 0 if unknown.</summary>
    public int Height { get; }

    /// <summary>Whether the publisher has muted it.</summary>
    public bool Muted { get; internal set; }

    internal void Release() => _handle.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"{Kind} publication {Sid} ({Name}, {Source})";
}

/// <summary>Another participant of the room.</summary>
public sealed class RemoteParticipant
{
    private readonly FfiHandle _handle;
    private readonly Dictionary<string, TrackPublication> _publications = [];
    private readonly ParticipantAttributes _attributes;

    internal RemoteParticipant(OwnedParticipant owned)
    {
        _attributes = new ParticipantAttributes(owned.Info.Attributes);
        _handle = FfiHandle.Own(owned.Handle);
        Sid = owned.Info.Sid;
        Identity = owned.Info.Identity;
        Name = owned.Info.Name;
        Metadata = owned.Info.Metadata;
        Kind = (ParticipantKind)owned.Info.Kind;
    }

    /// <summary>What kind of client the participant is (a person, a phone caller, an agent…).</summary>
    public ParticipantKind Kind { get; }

    /// <summary>The participant's server id (<c>PA_…</c>).</summary>
    public string Sid { get; }

    /// <summary>The participant's identity (HeyGen's avatar is <c>heygen</c>).</summary>
    public string Identity { get; }

    /// <summary>Display name.</summary>
    public string Name { get; }

    /// <summary>Application metadata.</summary>
    public string Metadata { get; }

    /// <summary>
    /// The participant's attributes (from its access token, or set later), a snapshot kept current by the server's
    /// updates; <see cref="Room.ParticipantAttributesChanged"/> is raised after each change.
    /// </summary>
    public IReadOnlyDictionary<string, string> Attributes => _attributes.Current;

    internal ParticipantAttributes AttributeSet => _attributes;

    /// <summary>A snapshot of the tracks the participant publishes.</summary>
    public IReadOnlyList<TrackPublication> Publications
    {
        get
        {
            lock (_publications)
            {
                return [.. _publications.Values];
            }
        }
    }

    internal void AddPublication(TrackPublication publication)
    {
        lock (_publications)
        {
            if (_publications.Remove(publication.Sid, out TrackPublication? previous))
            {
                previous.Release();
            }

            _publications[publication.Sid] = publication;
        }
    }

    internal TrackPublication? FindPublication(string sid)
    {
        lock (_publications)
        {
            return _publications.GetValueOrDefault(sid);
        }
    }

    internal TrackPublication? RemovePublication(string sid)
    {
        lock (_publications)
        {
            _publications.Remove(sid, out TrackPublication? publication);
            return publication;
        }
    }

    internal void Release()
    {
        lock (_publications)
        {
            foreach (TrackPublication publication in _publications.Values)
            {
                publication.Release();
            }

            _publications.Clear();
        }

        _handle.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"participant {Identity} ({Sid})";
}
