"""What use cases ask to be told, posted through the one seam (`messenger`): incident cards and
patient notices (the StaffNotifier and PatientMessenger ports), staff notices, erasure notices,
and the dispatcher's timers that reach staff."""
