namespace Pipeline.AvatarWorker.Emulator;

/// <summary>Why a worker's time in the room ended.</summary>
public enum WorkerLeaveReason
{
    /// <summary>The agent it publishes for left the room, so the worker left too.</summary>
    AgentLeft,

    /// <summary>The server removed the worker (RoomService RemoveParticipant) or deleted the room.</summary>
    RemovedByServer,

    /// <summary>The server ended the connection for another reason (shutdown, signal closed, duplicate identity).</summary>
    ServerDisconnected,

    /// <summary>The emulator was disposed while the worker was running.</summary>
    EmulatorDisposed,

    /// <summary>The worker dropped out of the room on purpose (a drop fault, or <see cref="AvatarWorkerEmulator.DropWorkerAsync"/>).</summary>
    Dropped,

    /// <summary>The worker could not join (see <see cref="WorkerSessionRecord.JoinError"/>).</summary>
    JoinFailed,

    /// <summary>The worker never tried to join (<see cref="AvatarWorkerFaults.NeverJoin"/>) and the emulator was disposed.</summary>
    NeverJoined,

    /// <summary>The worker failed after joining (logged).</summary>
    Failed,
}
