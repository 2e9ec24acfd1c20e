namespace Pipeline.LiveKit;

/// <summary>What kind of client a participant is (LiveKit's participant kind).</summary>
public enum ParticipantKind
{
    /// <summary>A regular client: a person's browser or app.</summary>
    Standard = 0,

    /// <summary>An ingress (a stream pushed into the room).</summary>
    Ingress = 1,

    /// <summary>An egress (a recorder).</summary>
    Egress = 2,

    /// <summary>A phone caller through SIP.</summary>
    Sip = 3,

    /// <summary>An agent (a bot, such as a LiveKit Agents worker or an avatar).</summary>
    Agent = 4,

    /// <summary>A connector.</summary>
    Connector = 5,
}
