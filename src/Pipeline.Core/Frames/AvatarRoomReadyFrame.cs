using Pipeline.Core.Avatars;

namespace Pipeline.Core.Frames;

/// <summary>
/// A direct-room avatar's session is open: its media goes straight to the room described by <see cref="Access"/>,
/// not through the pipeline. Pushed both ways right after the <see cref="StartFrame"/>, so the processor that hands
/// the room to the user (a transport, or the app through <c>PipelineTask.FrameReachedEnd</c>) sees it whichever side
/// of the avatar service it sits.
/// </summary>
/// <remarks><see cref="Access"/> carries secrets (the room tokens); this frame's <see cref="Frame.ToString"/> shows
/// only its name.</remarks>
public sealed class AvatarRoomReadyFrame : SystemFrame
{
    /// <summary>Creates the frame.</summary>
    /// <param name="access">The room and how to join it.</param>
    public AvatarRoomReadyFrame(AvatarRoomAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        Access = access;
    }

    /// <summary>The room and how to join it (secret tokens: see <see cref="AvatarRoomAccess"/>).</summary>
    public AvatarRoomAccess Access { get; }
}
