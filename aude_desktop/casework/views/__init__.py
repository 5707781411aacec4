"""The shared views of both procedures: the record queue, the action dialog, bulk dialogs, dialog helpers."""
