namespace Pipeline.LiveKit;

/// <summary>
/// Decides which participant the transport listens to: the configured identity, or else the first person (a standard
/// client or a phone caller; never an agent such as an avatar, an ingress or an egress) seen in the room. Thread-safe.
/// </summary>
internal sealed class UserParticipantSelector
{
    private readonly object _gate = new();
    private readonly string? _wanted;
    private readonly bool _pickAnotherAfterLeave;
    private string? _user;

    /// <param name="wanted">The identity to listen to, or null for the first person.</param>
    /// <param name="pickAnotherAfterLeave">Whether, with no fixed identity, the next person is listened to once the user left.</param>
    public UserParticipantSelector(string? wanted, bool pickAnotherAfterLeave)
    {
        _wanted = wanted;
        _pickAnotherAfterLeave = pickAnotherAfterLeave && wanted is null;
    }

    /// <summary>The identity listened to, once chosen.</summary>
    public string? User
    {
        get
        {
            lock (_gate)
            {
                return _user;
            }
        }
    }

    /// <summary>Whether a participant of this kind can be the user when no identity is configured.</summary>
    public static bool IsPerson(ParticipantKind kind) => kind is ParticipantKind.Standard or ParticipantKind.Sip;

    /// <summary>Whether this participant is the user, choosing it if no one is chosen yet and it qualifies.</summary>
    public bool Select(string identity, ParticipantKind kind)
    {
        lock (_gate)
        {
            if (_user is not null)
            {
                return string.Equals(_user, identity, StringComparison.Ordinal);
            }

            bool qualifies = _wanted is null ? IsPerson(kind) : string.Equals(_wanted, identity, StringComparison.Ordinal);
            if (qualifies)
            {
                _user = identity;
            }

            return qualifies;
        }
    }

    /// <summary>A participant left; returns whether it was the user (who may then be replaced by the next person).</summary>
    public bool Leave(string identity)
    {
        lock (_gate)
        {
            if (!string.Equals(_user, identity, StringComparison.Ordinal))
            {
                return false;
            }

            if (_pickAnotherAfterLeave)
            {
                _user = null;
            }

            return true;
        }
    }
}
