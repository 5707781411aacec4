"""What both procedures share and neither owns: forms, bulk actions, the record queue's SQL pieces (Qt-free)."""
